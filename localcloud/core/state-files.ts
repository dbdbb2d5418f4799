import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * The two ways services persist state under `<stateDir>/<service>/`, chosen so
 * that a crash at any moment leaves something loadable:
 *
 * - small documents (IAM entities, log group metadata) are rewritten whole with
 *   write-to-temp + rename, which is atomic on POSIX file systems;
 * - high-volume data (metric datapoints, log events) is appended as JSON Lines;
 *   a torn last line from a crash is skipped on load and sealed before the next
 *   append, so it never corrupts the records that follow.
 */

let tempCounter = 0;

/**
 * A file or directory name for a user-chosen string (account, region, resource
 * name): reversible, free of path separators, never `.` or `..`.
 */
export function safePathSegment(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded === '.' || encoded === '..' || encoded === '' ? encoded.replace(/\./g, '%2E') || '%00' : encoded;
}

/** The inverse of safePathSegment. */
export function fromPathSegment(segment: string): string {
  return segment === '%00' ? '' : decodeURIComponent(segment);
}

/** Replaces `file` with `data` atomically (readers see the old or the new content, never a mix). */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value));
}

/** The parsed JSON document, or undefined when the file does not exist. */
export function readJsonFile<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * Calls `onRecord` for every complete JSON line of `file` (missing file: no
 * calls). Returns how many lines could not be parsed (a torn tail after a crash).
 */
export function readJsonLines(file: string, onRecord: (record: any) => void): { skipped: number } {
  if (!existsSync(file)) return { skipped: 0 };
  const text = readFileSync(file, 'utf8');
  let skipped = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    onRecord(record);
  }
  return { skipped };
}

/** An append-only JSON Lines file, opened lazily and written synchronously (write-through). */
export class JsonLinesFile {
  private fd?: number;

  constructor(readonly file: string) {}

  append(records: readonly unknown[]): void {
    if (records.length === 0) return;
    let text = '';
    for (const record of records) text += JSON.stringify(record) + '\n';
    const fd = this.open();
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a+');
    // A crash mid-write can leave a line without its newline; seal it so the
    // next record starts on a line of its own.
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(fd, '\n');
    }
    this.fd = fd;
    return fd;
  }
}
