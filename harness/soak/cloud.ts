/**
 * The local cloud under soak: `node bin/localcloud.js start` in a process of
 * its own, as users run it, so its memory, descriptors and stalls are read
 * from outside and a `kill -9` is a real one. Unlike the bench's cloud it can
 * keep a state folder and be killed and started again on the same port, and
 * it counts every time it had to be restarted because it died or froze.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, isHealthy } from '../bench/cloud-process.js';
import { processTreeMemory } from '../bench/process-memory.js';
import { sleep } from '../bench/context.js';
import { PROJECT_ROOT } from '../support/paths.js';

const CLI = path.join(PROJECT_ROOT, 'bin', 'localcloud.js');
const OUTPUT_TAIL_CHARS = 4000;
const START_TIMEOUT_MS = 30_000;

export interface Restart {
  /** What the soak was doing when it found the cloud dead or frozen. */
  during: string;
  reason: string;
}

export class SoakCloud {
  readonly restarts: Restart[] = [];
  /** Exits nobody asked for (a crash), with their code or signal. */
  readonly crashes: string[] = [];
  private child: ChildProcess | undefined;
  private tail = '';
  private expectingExit = false;

  private constructor(
    readonly port: number,
    readonly stateDir: string | undefined,
  ) {}

  static async start(options: { stateDir?: string } = {}): Promise<SoakCloud> {
    const cloud = new SoakCloud(await freePort(), options.stateDir);
    await cloud.launch();
    return cloud;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.tail;
  }

  private async launch(): Promise<void> {
    const args = [CLI, 'start', '--port', String(this.port), ...(this.stateDir ? ['--state', this.stateDir] : [])];
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      if (!this.expectingExit) this.crashes.push(`exited with ${signal ?? `code ${code}`}`);
    });
    this.child = child;
    this.expectingExit = false;
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (!(await isHealthy(this.url))) {
      if (!this.running || performance.now() > deadline) {
        await this.kill();
        throw new Error(`the local cloud on port ${this.port} did not become healthy:\n${this.tail.trim()}`);
      }
      await sleep(20);
    }
  }

  /**
   * SIGKILL to the cloud alone, as a power cut or the OOM killer would; then
   * the function processes it leaves orphaned, which would otherwise outlive
   * the soak.
   */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    const descendants = processTreeMemory(child.pid).pids.filter((pid) => pid !== child.pid);
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    for (const pid of descendants) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** kill -9 and start again on the same port and state folder. */
  async killAndRestart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /**
   * Health, within a short deadline; a cloud that does not answer is killed
   * and started again, and the restart is recorded with what the soak was doing.
   * Answers whether the cloud was alive.
   */
  async ensureAlive(during: string): Promise<boolean> {
    if (this.running && (await isHealthy(this.url))) return true;
    const reason = this.running ? 'did not answer /_localstack/health within 2 s (frozen)' : `had died (${this.crashes.at(-1) ?? 'exited'})`;
    this.restarts.push({ during, reason });
    await this.killAndRestart();
    return false;
  }

  /** SIGTERM (the orderly shutdown), SIGKILL for the tree after a few seconds. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => void this.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
