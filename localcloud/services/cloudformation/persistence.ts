/**
 * Files under <stateDir>/cloudformation/: one JSON document per stack and per
 * change set, rewritten atomically (a crash leaves the old or the new version,
 * never half of one), and one append-only JSON Lines file of events per stack
 * (events are never rewritten, only added).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { JsonLinesFile, readJsonFile, readJsonLines, writeJsonAtomic } from '../../core/state-files.js';

export class JsonFiles {
  private readonly lineFiles = new Map<string, JsonLinesFile>();

  constructor(private readonly root: string) {
    for (const folder of ['stacks', 'events', 'changesets']) mkdirSync(path.join(root, folder), { recursive: true });
  }

  write(folder: string, id: string, value: unknown): void {
    writeJsonAtomic(this.file(folder, id, 'json'), value);
  }

  remove(folder: string, id: string): void {
    rmSync(this.file(folder, id, 'json'), { force: true });
  }

  readAll<T>(folder: string): T[] {
    const out: T[] = [];
    for (const name of readdirSync(path.join(this.root, folder))) {
      if (!name.endsWith('.json')) continue;
      try {
        const value = readJsonFile<T>(path.join(this.root, folder, name));
        if (value !== undefined) out.push(value);
      } catch {
        // Only a file damaged outside localcloud can fail to parse (writes are atomic): skip it.
      }
    }
    return out;
  }

  append(folder: string, id: string, value: unknown): void {
    const file = this.file(folder, id, 'jsonl');
    let lines = this.lineFiles.get(file);
    if (!lines) this.lineFiles.set(file, (lines = new JsonLinesFile(file)));
    lines.append([value]);
  }

  readLines<T>(folder: string, id: string): T[] {
    const out: T[] = [];
    readJsonLines(this.file(folder, id, 'jsonl'), (record) => out.push(record as T));
    return out;
  }

  close(): void {
    for (const lines of this.lineFiles.values()) lines.close();
    this.lineFiles.clear();
  }

  private file(folder: string, id: string, extension: string): string {
    return path.join(this.root, folder, `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.${extension}`);
  }
}
