/** What a running `up` records for `down`: its pid and where things are. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UP_PID_FILE } from '../support/paths.js';
import { processAlive } from '../targets/state-lock.js';
import type { TargetName } from '../targets/types.js';

export interface UpState {
  pid: number;
  target: TargetName;
  stackName: string;
  region: string;
  port: number;
  endpoint?: string;
  pageUrl: string;
  startedAt: string;
}

export function writeUpState(state: UpState, file = UP_PID_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** The running `up`, or undefined (a stale file from a crashed run is removed). */
export function readUpState(file = UP_PID_FILE): UpState | undefined {
  let state: UpState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as UpState;
  } catch {
    return undefined;
  }
  if (typeof state.pid !== 'number' || !processAlive(state.pid)) {
    rmSync(file, { force: true });
    return undefined;
  }
  return state;
}

export function removeUpState(pid = process.pid, file = UP_PID_FILE): void {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as UpState;
    if (state.pid !== pid) return;
  } catch {
    return;
  }
  rmSync(file, { force: true });
}
