/**
 * The watch `make up` runs after its summary: a saved change under
 * `functions/` rebuilds the zips it affects and pushes them to the stack's
 * functions; a saved change under `cloudformation/` deploys the stack through
 * a change set, as `make deploy` does. One reload runs at a time; saves made
 * meanwhile are gathered into the next. One line per reload says what changed
 * and how long it took from the save until the new code (or stack) was ready.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../support/errors.js';
import { formatDuration, type Reporter } from '../support/terminal.js';
import type { Connection } from '../targets/types.js';
import type { FunctionName } from '../build/build.js';
import { CodePusher } from './code-pusher.js';
import { FunctionBuilder, type RebuildResult } from './function-builder.js';
import { SaveBatcher, type SaveBatch } from './save-batcher.js';
import { checkTemplateSyntax, formatProblem } from './template-check.js';
import { isFunctionSource, isTemplateFile } from './watched-files.js';

/** Long enough to join an editor's two writes of one save, short enough not to be felt. */
const QUIET_MS = 40;
/** A stream of saves (a formatter over many files, a git checkout) still reloads this soon after it began. */
const MAX_WAIT_MS = 400;

export interface WatchOptions {
  /** The project: `functions/`, `cloudformation/` and `dist/functions/` are found here. */
  root: string;
  connection: Connection;
  stackName: string;
  reporter: Reporter;
  /**
   * Deploys the stack from the saved templates (`up` passes its own deploy);
   * without it `cloudformation/` is not watched.
   */
  deployTemplates?: () => Promise<void>;
}

export interface ReloadOutcome {
  kind: 'functions' | 'template';
  /** Project-relative paths of the saved files. */
  files: string[];
  /** Functions (zip names) that got new code, or the stack name for a template reload. */
  updated: string[];
  ok: boolean;
  /** From the first save of the burst until the new code (or stack) was ready. */
  ms: number;
}

export class WatchSession {
  private readonly watchers: FSWatcher[] = [];
  private readonly listeners: ((outcome: ReloadOutcome) => void)[] = [];
  private readonly batcher: SaveBatcher;
  private pending: SaveBatch | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly options: WatchOptions,
    private readonly builder: FunctionBuilder,
    private readonly pusher: CodePusher,
  ) {
    this.batcher = new SaveBatcher({ quietMs: QUIET_MS, maxWaitMs: MAX_WAIT_MS, onBatch: (batch) => this.enqueue(batch) });
  }

  static async start(options: WatchOptions): Promise<WatchSession> {
    const templatePath = path.join(options.root, 'cloudformation', 'iot-backend.template');
    const pusher = new CodePusher(options.connection, options.stackName, templatePath);
    let builder: FunctionBuilder | undefined;
    try {
      await pusher.refresh();
      builder = await FunctionBuilder.start(options.root, path.join(options.root, 'dist', 'functions'));
      const session = new WatchSession(options, builder, pusher);
      session.watch('functions', isFunctionSource);
      if (options.deployTemplates && existsSync(path.join(options.root, 'cloudformation'))) session.watch('cloudformation', isTemplateFile);
      return session;
    } catch (error) {
      await builder?.dispose();
      pusher.close();
      throw error;
    }
  }

  /** The folders being watched, project-relative. */
  get folders(): string[] {
    return this.options.deployTemplates ? ['functions/', 'cloudformation/'] : ['functions/'];
  }

  onReload(listener: (outcome: ReloadOutcome) => void): void {
    this.listeners.push(listener);
  }

  /** Stops watching, lets a reload in progress finish, and releases the esbuild contexts and clients. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watcher of this.watchers) watcher.close();
    this.batcher.cancel();
    this.pending = undefined;
    await this.running;
    await this.builder.dispose();
    this.pusher.close();
  }

  private watch(folder: string, relevant: (file: string) => boolean): void {
    const watcher = watch(path.join(this.options.root, folder), { recursive: true }, (_event, filename) => {
      if (this.closed || !filename) return;
      const file = `${folder}/${filename.split(path.sep).join('/')}`;
      if (relevant(file)) this.batcher.add(file);
    });
    watcher.on('error', (error) => this.options.reporter.warn(`watching ${folder}/ stopped: ${errorMessage(error)}`));
    this.watchers.push(watcher);
  }

  private enqueue(batch: SaveBatch): void {
    if (this.closed) return;
    if (this.pending) {
      this.pending.files.push(...batch.files.filter((file) => !this.pending!.files.includes(file)));
    } else {
      this.pending = batch;
    }
    if (!this.running) this.running = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending && !this.closed) {
        const batch = this.pending;
        this.pending = undefined;
        await this.reload(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async reload(batch: SaveBatch): Promise<void> {
    const functionFiles = batch.files.filter((file) => file.startsWith('functions/'));
    const templateFiles = batch.files.filter((file) => file.startsWith('cloudformation/'));
    if (functionFiles.length > 0) this.emit(await this.reloadFunctions(functionFiles, batch.firstSavedAt));
    if (templateFiles.length > 0 && this.options.deployTemplates) this.emit(await this.reloadTemplates(templateFiles, batch.firstSavedAt));
  }

  private async reloadFunctions(files: string[], savedAt: number): Promise<ReloadOutcome> {
    const { reporter } = this.options;
    const { paint } = reporter;
    const names = this.builder.affectedBy(files);
    const outcome = (ok: boolean, updated: string[]): ReloadOutcome => ({ kind: 'functions', files, updated, ok, ms: performance.now() - savedAt });
    if (names.length === 0) {
      reporter.info(paint('grey', `· ${files.join(', ')}: no function imports it, nothing to reload`));
      return outcome(true, []);
    }
    const results = await Promise.all(names.map((name) => this.builder.rebuild(name)));
    const failed = results.filter((r): r is Extract<RebuildResult, { ok: false }> => !r.ok);
    const built = results.filter((r): r is Extract<RebuildResult, { ok: true }> => r.ok);
    reportBuildErrors(reporter, failed);

    const toPush = built.filter((r) => r.changed);
    const pushFailed = new Map<FunctionName, string>();
    await Promise.all(
      toPush.map(async ({ name, zip }) => {
        try {
          // A function the stack lacked at the last look may have been added since.
          if (this.pusher.functionsOf(name).length === 0) await this.pusher.refresh();
          if ((await this.pusher.push(name, zip)).length === 0) pushFailed.set(name, `the stack has no function built from ${name}.zip`);
        } catch (error) {
          pushFailed.set(name, errorMessage(error));
        }
        if (pushFailed.has(name)) this.builder.forgetPushed(name);
      }),
    );
    for (const [name, reason] of pushFailed) reporter.info(`${paint('red', '✗')} could not push new code to ${name}: ${reason}`);

    const updated = toPush.map((r) => r.name).filter((name) => !pushFailed.has(name));
    const unchanged = built.filter((r) => !r.changed).map((r) => r.name);
    const result = outcome(failed.length === 0 && pushFailed.size === 0, updated);
    // The reload line, unless nothing of this save reached the stack (its errors are printed above).
    if (updated.length > 0 || result.ok) {
      const what = [updated.join(', '), unchanged.length > 0 ? paint('grey', `${unchanged.join(', ')} unchanged`) : ''].filter(Boolean).join('; ');
      reporter.info(`${paint('green', '↻')} ${files.join(', ')} → ${what}: ready in ${Math.round(result.ms)} ms`);
    }
    return result;
  }

  private async reloadTemplates(files: string[], savedAt: number): Promise<ReloadOutcome> {
    const { reporter, stackName } = this.options;
    const { paint } = reporter;
    const outcome = (ok: boolean): ReloadOutcome => ({ kind: 'template', files, updated: ok ? [stackName] : [], ok, ms: performance.now() - savedAt });
    const broken = files.map((file) => checkTemplateSyntax(path.join(this.options.root, file), file)).find((problem) => problem !== undefined);
    if (broken) {
      reporter.info(`${paint('red', '✗')} ${formatProblem(broken)} — not deployed; stack ${stackName} is left as it is`);
      return outcome(false);
    }
    reporter.info(`${paint('cyan', '↻')} ${files.join(', ')} changed: deploying stack ${stackName} through a change set`);
    try {
      await this.options.deployTemplates!();
      await this.pusher.refresh();
    } catch (error) {
      reporter.info(`${paint('red', '✗')} ${files.join(', ')}: ${errorMessage(error)} — stack ${stackName} is left as it was`);
      return outcome(false);
    }
    const result = outcome(true);
    reporter.info(`${paint('green', '↻')} ${files.join(', ')} → stack ${stackName}: ready in ${formatDuration(result.ms)}`);
    return result;
  }

  private emit(outcome: ReloadOutcome): void {
    for (const listener of this.listeners) listener(outcome);
  }
}

/** One line per distinct error (a broken shared file breaks every function that imports it, with the same message). */
function reportBuildErrors(reporter: Reporter, failed: Extract<RebuildResult, { ok: false }>[]): void {
  const byError = new Map<string, FunctionName[]>();
  for (const { name, errors } of failed) {
    for (const error of errors) byError.set(error, [...(byError.get(error) ?? []), name]);
  }
  for (const [error, names] of byError) {
    reporter.info(`${reporter.paint('red', '✗')} ${error} (${names.join(', ')} ${names.length === 1 ? 'keeps its' : 'keep their'} previous code)`);
  }
}
