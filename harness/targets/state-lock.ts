/**
 * One embedded cloud per state folder. Two clouds writing the same files would
 * corrupt each other's state; the port normally prevents that (the second
 * `up` reuses the first), but not when they run on different ports.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../support/errors.js';
import { displayPath } from '../support/paths.js';

interface LockContent {
  pid: number;
  port: number;
}

/** Takes the lock (or fails with one clear line); returns its release. */
export function acquireStateLock(stateDir: string, port: number): () => void {
  const file = `${stateDir.replace(/[/\\]+$/, '')}.lock`;
  const holder = readLock(file);
  if (holder && holder.pid !== process.pid && processAlive(holder.pid)) {
    throw new UserError(
      `the embedded cloud's state in ${displayPath(stateDir)} is in use by process ${holder.pid} on port ${holder.port}; use that cloud (PORT=${holder.port}) or stop it first (make down)`,
    );
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ pid: process.pid, port } satisfies LockContent));
  return () => {
    if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
  };
}

function readLock(file: string): LockContent | undefined {
  try {
    const content = JSON.parse(readFileSync(file, 'utf8')) as LockContent;
    return typeof content.pid === 'number' ? content : undefined;
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
