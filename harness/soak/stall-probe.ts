/**
 * Event-loop stalls, seen from outside: a GET of the health route every
 * 50 ms on a connection of its own. The cloud answers health on its one
 * event loop, so a probe's latency is at least as long as whatever held the
 * loop when it arrived. One probe at a time: a probe still waiting counts
 * with its age, so a freeze shows even if the cloud never answers it.
 */
import http from 'node:http';

const INTERVAL_MS = 50;
const PROBE_TIMEOUT_MS = 120_000;

export interface Stall {
  ms: number;
  /** What the soak was sending when the slowest probe was waiting. */
  during: string;
}

export class StallProbe {
  private timer: NodeJS.Timeout | undefined;
  private inFlightSince: number | undefined;
  private inFlightDuring = '';
  private worst: Stall = { ms: 0, during: '' };
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  probes = 0;
  /** Set by the phase: what it is sending now, for the report. */
  current = '';

  constructor(private readonly url: () => string) {}

  start(): this {
    this.timer = setInterval(() => this.probe(), INTERVAL_MS);
    this.timer.unref();
    return this;
  }

  /** The longest probe, counting one still waiting with its age. */
  stop(): Stall {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.noteInFlight();
    this.agent.destroy();
    return this.worst;
  }

  /** Called when the cloud is restarted: a probe waiting on the dead one counts up to now, then is dropped. */
  reset(): void {
    this.noteInFlight();
    this.inFlightSince = undefined;
    this.agent.destroy();
  }

  private noteInFlight(): void {
    if (this.inFlightSince !== undefined) this.record(performance.now() - this.inFlightSince, this.inFlightDuring);
  }

  private record(ms: number, during: string): void {
    if (ms > this.worst.ms) this.worst = { ms, during };
  }

  private probe(): void {
    if (this.inFlightSince !== undefined) {
      // Still waiting: the age so far is a stall already, whatever comes next.
      this.noteInFlight();
      return;
    }
    const started = performance.now();
    this.inFlightSince = started;
    this.inFlightDuring = this.current;
    const done = () => {
      if (this.inFlightSince !== started) return;
      this.record(performance.now() - started, this.inFlightDuring);
      this.inFlightSince = undefined;
      this.probes += 1;
    };
    const req = http.get(`${this.url()}/_localstack/health`, { agent: this.agent, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', done);
      res.on('error', done);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      if (this.inFlightSince === started) this.inFlightSince = undefined;
    });
  }
}
