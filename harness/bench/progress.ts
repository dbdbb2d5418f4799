/**
 * One live line per phase. On a terminal the line is redrawn in place as the
 * phase advances and left with its result when it ends; in a log (CI, a pipe)
 * only that final line is written, so the output stays one line per phase.
 */
import { painter, type Paint } from '../support/terminal.js';

const REDRAW_EVERY_MS = 100;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface PhaseLine {
  /** Replaces the phase's status text (throttled on a terminal, ignored in a log). */
  update(status: string): void;
  /** Ends the phase with its result. */
  done(result: string): void;
  fail(reason: string): void;
}

export class Progress {
  readonly paint: Paint;
  private readonly live: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly prefix = '',
  ) {
    this.paint = painter(stream);
    this.live = Boolean(stream.isTTY) && process.env.CI === undefined;
  }

  /** The same output, every phase label starting with `prefix` (a phase that reruns others). */
  prefixed(prefix: string): Progress {
    return new Progress(this.stream, this.prefix + prefix);
  }

  /** Starts a phase: `label` is fixed, the status after it changes. */
  phase(label: string): PhaseLine {
    const started = performance.now();
    const name = (this.prefix + label).padEnd(24);
    let frame = 0;
    let lastDraw = 0;
    let status = '';
    let ended = false;
    const draw = (force = false) => {
      if (!this.live || ended) return;
      const now = performance.now();
      if (!force && now - lastDraw < REDRAW_EVERY_MS) return;
      lastDraw = now;
      const seconds = ((now - started) / 1000).toFixed(1).padStart(5);
      const text = `${this.paint('cyan', SPINNER[frame++ % SPINNER.length]!)} ${name} ${this.paint('grey', `${seconds} s`)}  ${status}`;
      this.stream.write(`\r\x1b[2K${truncate(text, (this.stream.columns ?? 120) + (this.paint.enabled ? 20 : 0))}`);
    };
    // Keeps the spinner and clock moving while a phase waits on something silent.
    const ticker = setInterval(() => draw(true), 250);
    ticker.unref();
    const end = (mark: string, text: string) => {
      if (ended) return;
      clearInterval(ticker);
      ended = true;
      const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(5);
      const line = `${mark} ${name} ${this.paint('grey', `${seconds} s`)}  ${text}`;
      this.stream.write(this.live ? `\r\x1b[2K${line}\n` : `${line}\n`);
    };
    draw(true);
    return {
      update: (text) => {
        status = text;
        draw();
      },
      done: (result) => end(this.paint('green', '✓'), result),
      fail: (reason) => end(this.paint('red', '✗'), this.paint('red', reason)),
    };
  }
}

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}
