/**
 * A small fleet of simulated sensors: every second, `rate` readings spread over
 * `sensors` sensors, sent in PutRecords batches. Each sensor does a random walk,
 * so the charts show something that looks like a measurement.
 */
import type { SensorEventPayload } from './event-input.js';
import { MAX_RECORDS_PER_CALL, type BatchResult } from './backend.js';

export interface SimulatorSettings {
  sensors: number;
  /** Readings per second, over all sensors. */
  rate: number;
  prefix: string;
}

export const SIMULATOR_LIMITS = { sensors: { min: 1, max: 100 }, rate: { min: 1, max: 1000 } } as const;

export interface SimulatorStats {
  running: boolean;
  sent: number;
  failed: number;
  calls: number;
  /** Ticks skipped because the previous one was still being sent. */
  skipped: number;
}

export interface SimulatorHooks {
  send(events: SensorEventPayload[]): Promise<BatchResult>;
  /** After each call, successful or not. */
  onBatch(result: BatchResult | { error: unknown }, events: number): void;
  onChange(stats: SimulatorStats): void;
  random?: () => number;
  now?: () => number;
}

export function checkSimulatorSettings(raw: { sensors: string; rate: string; prefix: string }): { ok: true; settings: SimulatorSettings } | { ok: false; message: string } {
  const sensors = Number(raw.sensors);
  const rate = Number(raw.rate);
  const { sensors: s, rate: r } = SIMULATOR_LIMITS;
  if (!Number.isInteger(sensors) || sensors < s.min || sensors > s.max) return { ok: false, message: `Sensors must be a whole number from ${s.min} to ${s.max}.` };
  if (!Number.isInteger(rate) || rate < r.min || rate > r.max) {
    return { ok: false, message: `Events/s must be a whole number from ${r.min} to ${r.max} (one shard takes 1,000 records/s).` };
  }
  if (raw.prefix.trim() === '') return { ok: false, message: 'Enter an ID prefix, e.g. sim-.' };
  return { ok: true, settings: { sensors, rate, prefix: raw.prefix } };
}

/** The next reading of a random walk around 20, kept within 0–40 and rounded to 0.01. */
export function nextReading(previous: number, random: () => number): number {
  const step = (random() - 0.5) * 2;
  const pull = (20 - previous) * 0.05;
  return Math.round(Math.min(40, Math.max(0, previous + step + pull)) * 100) / 100;
}

export class Simulator {
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight = false;
  private readings = new Map<string, number>();
  private settings: SimulatorSettings | undefined;
  private next = 0;
  private lastTime = 0;
  private stats: SimulatorStats = { running: false, sent: 0, failed: 0, calls: 0, skipped: 0 };

  constructor(private readonly hooks: SimulatorHooks) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(settings: SimulatorSettings): void {
    this.stop();
    this.settings = settings;
    this.stats = { running: true, sent: 0, failed: 0, calls: 0, skipped: 0 };
    this.hooks.onChange({ ...this.stats });
    void this.tick();
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stats.running = false;
    this.hooks.onChange({ ...this.stats });
  }

  /** One second's readings, sent in as few PutRecords calls as the 500-record limit allows. */
  private async tick(): Promise<void> {
    const settings = this.settings;
    if (!settings) return;
    if (this.inFlight) {
      this.stats.skipped++;
      this.hooks.onChange({ ...this.stats });
      return;
    }
    this.inFlight = true;
    try {
      const events = this.readingsFor(settings);
      for (let i = 0; i < events.length; i += MAX_RECORDS_PER_CALL) {
        const batch = events.slice(i, i + MAX_RECORDS_PER_CALL);
        this.stats.calls++;
        try {
          const result = await this.hooks.send(batch);
          this.stats.sent += result.sent;
          this.stats.failed += result.failed;
          this.hooks.onBatch(result, batch.length);
        } catch (error) {
          this.stats.failed += batch.length;
          this.hooks.onBatch({ error }, batch.length);
        }
        this.hooks.onChange({ ...this.stats, running: this.running });
      }
    } finally {
      this.inFlight = false;
    }
  }

  private readingsFor(settings: SimulatorSettings): SensorEventPayload[] {
    const random = this.hooks.random ?? Math.random;
    const now = (this.hooks.now ?? Date.now)();
    // Spread over the second just past, never overlapping the previous tick's (timers drift).
    const from = Math.max(now - 999, this.lastTime + 1);
    const span = Math.max(1, now + 1 - from);
    const events: SensorEventPayload[] = [];
    for (let i = 0; i < settings.rate; i++) {
      // Round-robin over the fleet, so every sensor reports at rate/sensors per second.
      const sensorid = `${settings.prefix}${(this.next++ % settings.sensors) + 1}`;
      const value = nextReading(this.readings.get(sensorid) ?? 15 + random() * 10, random);
      this.readings.set(sensorid, value);
      // Distinct milliseconds per sensor: (SensorId, Timestamp) is the table's key.
      const time = from + Math.floor((i * span) / settings.rate);
      this.lastTime = Math.max(this.lastTime, time);
      events.push({ sensorid, value, timestamp: new Date(time).toISOString() });
    }
    return events;
  }
}
