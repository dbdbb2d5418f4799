/**
 * The /opt of an execution environment. On AWS each layer is extracted into
 * /opt, in the function's order, later layers overwriting earlier ones'
 * files. Environments here are host processes, so a real /opt cannot be used:
 * each combination of layers gets one merged directory standing for it,
 * `<codeRoot>/opt/<sha256 of the layers' content hashes>/`, built once (from
 * the layers' safely extracted trees, see model/zip-extraction.ts) and shared
 * by every environment with those layers. They are derived data: the folder
 * is emptied when the Lambda service starts.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { CodeStore } from '../model/code-store.js';
import type { FunctionLayer } from '../model/functions.js';

export class LayerMounts {
  private readonly root: string;
  private readonly builds = new Map<string, Promise<string>>();

  constructor(private readonly code: CodeStore) {
    this.root = path.join(code.codeRoot, 'opt');
    rmSync(this.root, { recursive: true, force: true });
    mkdirSync(this.root, { recursive: true });
  }

  /** The directory standing for /opt with these layers, or undefined when there are none. */
  directory(layers: readonly FunctionLayer[] | undefined): Promise<string | undefined> {
    if (!layers || layers.length === 0) return Promise.resolve(undefined);
    const hashes = layers.map((layer) => layer.codeHash);
    const key = createHash('sha256').update(hashes.join('\n')).digest('hex');
    let build = this.builds.get(key);
    if (!build) {
      build = this.build(key, hashes);
      this.builds.set(key, build);
      build.catch(() => this.builds.delete(key));
    }
    return build;
  }

  private async build(key: string, hashes: readonly string[]): Promise<string> {
    const target = path.join(this.root, key);
    if (existsSync(target)) return target;
    const sources = await Promise.all(hashes.map((hash) => this.code.extracted(hash)));
    const temp = `${target}.${process.pid}.building`;
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    try {
      // Links are copied as they are: extraction only kept those that stay inside their layer.
      for (const source of sources) cpSync(source, temp, { recursive: true, force: true, verbatimSymlinks: true });
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { recursive: true, force: true });
      throw err;
    }
    return target;
  }
}

/**
 * Where Node's `require` looks in the layers, as AWS's Node.js runtimes set
 * NODE_PATH: `/opt/nodejs/node<major>/node_modules`, then `/opt/nodejs/node_modules`.
 */
export function layerModulePaths(optDir: string, runtime: string): string[] {
  const major = /^nodejs(\d+)/.exec(runtime)?.[1];
  return [...(major ? [path.join(optDir, 'nodejs', `node${major}`, 'node_modules')] : []), path.join(optDir, 'nodejs', 'node_modules')];
}
