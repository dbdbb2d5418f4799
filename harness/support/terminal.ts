/**
 * Terminal output: colour only when the stream is a TTY (and NO_COLOR is not
 * set), so logs, CI output and piped output stay plain text.
 */
import type { WriteStream } from 'node:tty';

type Stream = NodeJS.WriteStream | WriteStream;

export function colourEnabled(stream: Stream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90, bold: 1, dim: 2 } as const;
export type Colour = keyof typeof CODES;

export interface Paint {
  (colour: Colour, text: string): string;
  readonly enabled: boolean;
}

export function painter(stream: Stream = process.stdout): Paint {
  const enabled = colourEnabled(stream);
  const paint = (colour: Colour, text: string) => (enabled ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text);
  return Object.assign(paint, { enabled });
}

/** Where progress and results go. The CLI prints; tests collect. */
export interface Reporter {
  /** A line of progress or result, on stdout. */
  info(line: string): void;
  /** Something the user should notice but that does not stop the command. */
  warn(line: string): void;
  /** Detail only shown under DEBUG=1. */
  debug(line: string): void;
  readonly paint: Paint;
}

export function consoleReporter(): Reporter {
  const paint = painter(process.stdout);
  const errPaint = painter(process.stderr);
  const debugOn = debugEnabled();
  return {
    paint,
    info: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${errPaint('yellow', 'warning:')} ${line}\n`),
    debug: (line) => {
      if (debugOn) process.stderr.write(`${errPaint('grey', line)}\n`);
    },
  };
}

/** A reporter that keeps the lines (tests), echoing them under DEBUG=1. */
export function collectingReporter(lines: string[] = []): Reporter & { lines: string[] } {
  const paint = Object.assign((_c: Colour, text: string) => text, { enabled: false });
  const echo = debugEnabled();
  const keep = (line: string) => {
    lines.push(line);
    if (echo) process.stderr.write(`${line}\n`);
  };
  return { paint, lines, info: keep, warn: (line) => keep(`warning: ${line}`), debug: keep };
}

export function debugEnabled(): boolean {
  const value = process.env.DEBUG;
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
