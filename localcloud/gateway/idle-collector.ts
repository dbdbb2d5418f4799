import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Gives back the memory a burst of requests took, once the cloud goes quiet.
 *
 * Under load V8 grows its heap — the young generation up to two 16 MB
 * semispaces, old-space pages for what survived a while — and shrinks it only
 * while collecting garbage. A process that allocates nothing once idle never
 * collects, so whatever a burst took stays resident for as long as the cloud
 * sits idle: after a 50-client load the cloud's heap held about 30 MB more
 * than it used, all of it released by one full collection. Browsers collect
 * in idle time; Node does not. So after `quietMs` without a request, one full
 * collection runs (tens of milliseconds on this heap), once per quiet period:
 * a cloud that keeps serving is never interrupted, and the next burst finds
 * the heap it left.
 */
export class IdleCollector {
  private lastRequest = 0;
  /** A request arrived since the last collection. */
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly quietMs: number,
    private readonly collect: () => void = fullGarbageCollection(),
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Called for every request the gateway receives. */
  requestArrived(): void {
    this.lastRequest = this.now();
    this.dirty = true;
    this.timer ??= this.arm(this.quietMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
  }

  private arm(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.check(), delayMs);
    // Never the reason the process stays up.
    timer.unref();
    return timer;
  }

  private check(): void {
    this.timer = undefined;
    if (!this.dirty) return;
    const quietFor = this.now() - this.lastRequest;
    if (quietFor < this.quietMs) {
      this.timer = this.arm(this.quietMs - quietFor);
      return;
    }
    this.dirty = false;
    this.collect();
  }
}

/**
 * V8's full collection, as `global.gc` when Node runs with --expose-gc.
 * Without the flag, it is enabled for a moment to take the function from a
 * fresh context (what test runners such as Jest do to detect leaks), then
 * disabled again so user code sees no `gc` global.
 */
function fullGarbageCollection(): () => void {
  if (collectGarbage) return collectGarbage;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (collectGarbage = exposed);
  setFlagsFromString('--expose-gc');
  collectGarbage = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  return collectGarbage;
}

/** Found once per process: every cloud started in it (tests start many) shares it. */
let collectGarbage: (() => void) | undefined;
