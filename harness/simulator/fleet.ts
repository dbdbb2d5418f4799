/**
 * A fleet of simulated sensors that produce plausible readings: each kind has
 * a typical level and drifts in a mean-reverting random walk, so charts look
 * like a real room and not like noise.
 */

export interface SensorEventPayload {
  sensorid: string;
  value: number;
  timestamp: string;
}

interface SensorKind {
  name: string;
  mean: number;
  spread: number;
  /** Largest step between two readings. */
  step: number;
  decimals: number;
}

const KINDS: SensorKind[] = [
  { name: 'temperature', mean: 21, spread: 4, step: 0.15, decimals: 2 },
  { name: 'humidity', mean: 48, spread: 12, step: 0.6, decimals: 1 },
  { name: 'pressure', mean: 1013, spread: 15, step: 0.3, decimals: 1 },
  { name: 'co2', mean: 600, spread: 250, step: 12, decimals: 0 },
];
const SITES = ['greenhouse', 'warehouse', 'office', 'cellar', 'rooftop', 'lab'];

/** mulberry32: small, fast and seedable, so a test can replay a run exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class SimulatedSensor {
  private level: number;
  private lastTime = 0;

  constructor(
    readonly id: string,
    private readonly kind: SensorKind,
    private readonly random: () => number,
  ) {
    this.level = kind.mean + (random() - 0.5) * kind.spread;
  }

  read(now: number): SensorEventPayload {
    const { mean, spread, step, decimals } = this.kind;
    // Pulled back toward the mean so a long run stays within a believable band.
    const pull = ((mean - this.level) / spread) * step;
    this.level += (this.random() * 2 - 1) * step + pull;
    // (SensorId, Timestamp) is the table's key: two readings of one sensor in the
    // same millisecond would overwrite each other, which a real device never does.
    const time = Math.max(now, this.lastTime + 1);
    this.lastTime = time;
    const factor = 10 ** decimals;
    return { sensorid: this.id, value: Math.round(this.level * factor) / factor, timestamp: new Date(time).toISOString() };
  }
}

export class SensorFleet {
  readonly sensors: SimulatedSensor[];
  private next = 0;

  constructor(count: number, private readonly random: () => number = Math.random) {
    this.sensors = Array.from({ length: count }, (_, i) => {
      const kind = KINDS[i % KINDS.length]!;
      const site = SITES[Math.floor(i / KINDS.length) % SITES.length]!;
      const round = Math.floor(i / (KINDS.length * SITES.length));
      return new SimulatedSensor(`${site}-${kind.name}-${String(round + 1).padStart(2, '0')}`, kind, random);
    });
  }

  get ids(): string[] {
    return this.sensors.map((s) => s.id);
  }

  /** The next reading, round-robin across the fleet. */
  read(now = Date.now()): SensorEventPayload {
    const sensor = this.sensors[this.next]!;
    this.next = (this.next + 1) % this.sensors.length;
    return sensor.read(now);
  }

  /** A record a broken device might send: the processor must skip it without blocking the shard. */
  malformed(now = Date.now()): { data: Buffer; kind: MalformedKind } {
    const kind = MALFORMED_KINDS[Math.floor(this.random() * MALFORMED_KINDS.length)]!;
    const reading = this.read(now);
    return { data: Buffer.from(malformedPayload(kind, reading), 'utf8'), kind };
  }
}

export const MALFORMED_KINDS = ['bad-json', 'missing-sensorid', 'string-value'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export function malformedPayload(kind: MalformedKind, reading: SensorEventPayload): string {
  switch (kind) {
    case 'bad-json':
      return JSON.stringify(reading).slice(0, -7); // cut off mid-document, as a dropped connection would
    case 'missing-sensorid':
      return JSON.stringify({ value: reading.value, timestamp: reading.timestamp });
    case 'string-value':
      return JSON.stringify({ ...reading, value: 'n/a' });
  }
}
