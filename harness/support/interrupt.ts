/**
 * Ctrl-C and SIGTERM, handled in one place. By default an interrupt runs the
 * registered clean-ups (stop the cloud this process started, ...) and exits
 * 130; a command that treats the interrupt as "stop now, gracefully" (`up` in
 * the foreground, `simulate`) takes it over for a while. A second interrupt
 * always exits at once.
 */

type Handler = (signal: NodeJS.Signals) => void;

const cleanups: (() => Promise<void>)[] = [];
const handlers: Handler[] = [];
let installed = false;
let interrupted = false;

function install(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    const handler = handlers.at(-1);
    if (handler) {
      handler(signal);
      return;
    }
    process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: cleaning up…\n`);
    void (async () => {
      for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => {});
      process.exit(130);
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Runs `cleanup` if the process is interrupted before the returned function is called. */
export function cleanupOnInterrupt(cleanup: () => Promise<void>): () => void {
  install();
  cleanups.push(cleanup);
  return () => {
    const i = cleanups.indexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Hands the next interrupt to `handler` instead of the default clean-up-and-exit. */
export function takeInterrupts(handler: Handler): () => void {
  install();
  handlers.push(handler);
  return () => {
    const i = handlers.indexOf(handler);
    if (i >= 0) handlers.splice(i, 1);
    interrupted = false;
  };
}
