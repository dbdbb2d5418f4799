import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * How to start a function's process without the host's descriptors.
 *
 * LevelDB 1.20 (in classic-level and leveldown) opens its LOCK, LOG,
 * MANIFEST, write-ahead log and table files without close-on-exec, and
 * Node's spawn has no close-fds option: every execution environment started
 * with every open store's files, about 128 descriptors with 32 stores open.
 * Its bootstrap closes them before the handler loads, but until then (Node's
 * own start, ~80 ms) they count against the host, keep compacted files on
 * disk, and a soak sampling the process tree saw 533 descriptors.
 *
 * On Linux, where /proc names the descriptors that would be passed on, the
 * process starts as `bash -c 'exec N<&- M<&- … "$@"' <file> <args>`: bash
 * closes exactly those, then becomes the process itself (the same pid, so
 * kill, exit status and the IPC channel are its own). Without /proc or bash
 * the file starts directly and the bootstrap's close is what remains — it
 * stays in any case, for a file LevelDB opens from its own threads between
 * this scan and the fork.
 *
 * bash runs in POSIX mode, where a non-interactive shell reads no startup
 * file (not even $BASH_ENV, which a function's variables could name). A
 * function whose variables set SHELLOPTS or BASHOPTS, which bash would
 * apply to itself (xtrace on its stderr, the function's log), starts directly.
 */

const BASH = '/bin/bash';
/** Variables bash applies to itself at start. */
const SHELL_SETTINGS = ['SHELLOPTS', 'BASHOPTS'];
const O_CLOEXEC = 0o2000000;

let bashPresent: boolean | undefined;

export interface SpawnCommand {
  file: string;
  args: string[];
}

/**
 * The command that starts `file args` (in `env`) with every descriptor
 * numbered `firstFree` or above that this process would pass on closed.
 * Descriptors below `firstFree` are the child's stdio and IPC channel, which
 * spawn sets up itself.
 */
export function withoutInheritedDescriptors(file: string, args: string[], firstFree: number, env: NodeJS.ProcessEnv): SpawnCommand {
  if (SHELL_SETTINGS.some((name) => env[name] !== undefined)) return { file, args };
  const inherited = inheritableDescriptors(firstFree);
  if (inherited.length === 0 || !(bashPresent ??= existsSync(BASH))) return { file, args };
  const closes = inherited.map((fd) => `${fd}<&-`).join(' ');
  return { file: BASH, args: ['--posix', '-c', `exec ${closes} "$@"`, file, file, ...args] };
}

/** This process's descriptors from `firstFree` on without close-on-exec; [] where /proc cannot tell. */
export function inheritableDescriptors(firstFree: number): number[] {
  if (process.platform !== 'linux') return [];
  let fds: number[];
  try {
    fds = readdirSync('/proc/self/fd').map(Number);
  } catch {
    return [];
  }
  return fds.filter((fd) => fd >= firstFree && !closeOnExec(fd));
}

function closeOnExec(fd: number): boolean {
  try {
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return !flags || (Number.parseInt(flags[1]!, 8) & O_CLOEXEC) !== 0;
  } catch {
    return true; // closed since the listing (readdir's own descriptor among them): nothing to pass on
  }
}
