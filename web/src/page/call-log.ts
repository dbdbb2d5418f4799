/** Runs the page's calls and records each one, with its outcome and time taken, in the log panel. */
import { describeError, endpointFor } from './errors.js';
import type { LogPanel } from './log-panel.js';
import type { MessageKind } from './dom.js';

export type Service = 'kinesis' | 'lambda' | 'page';

export class CallLog {
  constructor(
    private readonly panel: LogPanel,
    private readonly target: { region: string; endpoint?: string },
  ) {}

  /** Logs `call` with `summary(result)` on success, or the error in plain words; rethrows errors. */
  async track<T>(call: string, service: Service, run: () => Promise<T>, summary: (result: T) => string): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      this.panel.add(call, `${summary(result)} (${elapsed(started)})`, 'ok');
      return result;
    } catch (error) {
      this.panel.add(call, `${this.describe(error, service)} (${elapsed(started)})`, 'error');
      throw error;
    }
  }

  note(call: string, text: string, kind: MessageKind = 'info'): void {
    this.panel.add(call, text, kind);
  }

  describe(error: unknown, service: Service): string {
    const endpoint = service === 'page' ? `the test page server (${location.origin})` : endpointFor(service, this.target.region, this.target.endpoint);
    return describeError(error, { endpoint });
  }
}

function elapsed(started: number): string {
  return `${Math.round(performance.now() - started)} ms`;
}
