/**
 * Incremental builds of the function zips for the watch: one esbuild context
 * per function, kept between saves, so a rebuild re-reads only what changed.
 * The options are `make build`'s (functionBuildOptions) and the zip is made by
 * the same zipSingleFile, so the bytes equal `make build`'s for the same
 * sources; each new zip also replaces the one in dist/functions, where `make
 * deploy` (and a template reload) reads it.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { context, type BuildContext, type Message, type Metafile } from 'esbuild';
import { FUNCTION_NAMES, functionBuildOptions, zipSingleFile, type FunctionName } from '../build/build.js';

export type RebuildResult =
  | { name: FunctionName; ok: true; zip: Buffer; sha256: string; changed: boolean }
  | { name: FunctionName; ok: false; errors: string[] };

interface FunctionState {
  context: BuildContext<{ write: false; metafile: true }>;
  /** Project-relative paths (forward slashes) the last successful build read. */
  inputs: Set<string>;
  /** The last build failed: any save may be the one that fixes it. */
  broken: boolean;
  sha256?: string;
}

export class FunctionBuilder {
  private readonly functions = new Map<FunctionName, FunctionState>();
  private disposed = false;

  private constructor(
    private readonly root: string,
    private readonly artifactsDir: string,
  ) {}

  /** Creates the contexts and builds each function once, to learn what it imports. */
  static async start(root: string, artifactsDir: string): Promise<FunctionBuilder> {
    const builder = new FunctionBuilder(root, artifactsDir);
    try {
      for (const name of FUNCTION_NAMES) {
        const ctx = await context({ ...functionBuildOptions(name, root), metafile: true });
        builder.functions.set(name, { context: ctx, inputs: new Set(), broken: true });
      }
      // The zips in dist are already these (up built them); this learns the inputs and the hashes.
      await Promise.all(FUNCTION_NAMES.map((name) => builder.rebuild(name, { write: false })));
    } catch (error) {
      await builder.dispose();
      throw error;
    }
    return builder;
  }

  /** The functions a saved file belongs to: those whose bundle read it, and those whose last build failed. */
  affectedBy(files: readonly string[]): FunctionName[] {
    return FUNCTION_NAMES.filter((name) => {
      const state = this.functions.get(name)!;
      return state.broken || files.some((file) => state.inputs.has(file));
    });
  }

  /** Rebuilds one function; a new zip is written to the artifacts folder unless `write` is false. */
  async rebuild(name: FunctionName, { write = true } = {}): Promise<RebuildResult> {
    const state = this.functions.get(name);
    if (!state || this.disposed) throw new Error('the function builder is closed');
    let output: Uint8Array;
    let metafile: Metafile;
    try {
      const result = await state.context.rebuild();
      const file = result.outputFiles[0];
      if (!file) throw new Error(`esbuild produced no output for ${name}`);
      output = file.contents;
      metafile = result.metafile;
    } catch (error) {
      state.broken = true;
      return { name, ok: false, errors: buildErrors(error) };
    }
    state.broken = false;
    state.inputs = new Set(Object.keys(metafile.inputs).map((input) => input.split(path.sep).join('/')));
    const zip = await zipSingleFile(`${name}.js`, Buffer.from(output));
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const changed = sha256 !== state.sha256;
    state.sha256 = sha256;
    if (write && changed) await this.writeZip(name, zip);
    return { name, ok: true, zip, sha256, changed };
  }

  /** The last zip did not reach the stack: the next build of `name` counts as changed even if its bytes are the same. */
  forgetPushed(name: FunctionName): void {
    const state = this.functions.get(name);
    if (state) state.sha256 = undefined;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.functions.values()].map((state) => state.context.dispose()));
    this.functions.clear();
  }

  /** Written beside and renamed over, so a deploy reading the folder never sees half a zip. */
  private async writeZip(name: FunctionName, zip: Buffer): Promise<void> {
    await mkdir(this.artifactsDir, { recursive: true });
    const target = path.join(this.artifactsDir, `${name}.zip`);
    const partial = `${target}.${process.pid}.partial`;
    await writeFile(partial, zip);
    await rename(partial, target);
  }
}

/** esbuild's errors as an editor jumps to them: `functions/x.ts:12:5: message`. */
export function buildErrors(error: unknown): string[] {
  const messages = (error as { errors?: Message[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) return [error instanceof Error ? error.message : String(error)];
  return messages.map((message) => {
    const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: ` : '';
    return `${where}${message.text}`;
  });
}
