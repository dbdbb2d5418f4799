/** Where the harness keeps its files: everything local lives under `.localcloud/` in the project. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Project-local working folder (git-ignored). */
export const LOCAL_DIR = path.join(PROJECT_ROOT, '.localcloud');
/** The embedded cloud's persistent state, so a second `make up` finds the same stack and data. */
export const DEFAULT_STATE_DIR = path.join(LOCAL_DIR, 'state');
/** Saved stack outputs, one JSON file per target and stack. */
export const DEFAULT_OUTPUTS_DIR = path.join(LOCAL_DIR, 'outputs');
/** What a running `up` left for `down`. */
export const UP_PID_FILE = path.join(LOCAL_DIR, 'up.json');
/** The embedded cloud's diagnostics while `up` runs. */
export const LOCALCLOUD_LOG = path.join(LOCAL_DIR, 'localcloud.log');

export const TEMPLATE_PATH = path.join(PROJECT_ROOT, 'cloudformation', 'iot-backend.template');
export const NESTED_TEMPLATE_PATH = path.join(PROJECT_ROOT, 'cloudformation', 'config-helper.template');
export const DEFAULT_ARTIFACTS_DIR = path.join(PROJECT_ROOT, 'dist', 'functions');
export const COMPOSE_FILE = path.join(PROJECT_ROOT, 'docker-compose.yml');

/** A path relative to the project root when it lies inside it: shorter to read in messages. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
