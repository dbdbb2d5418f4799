/**
 * Resident memory of a process and all its descendants: the local cloud plus
 * the Lambda execution environments it spawned. On Linux it reads VmRSS from
 * /proc/<pid>/status and walks the parent links of /proc/<pid>/stat; elsewhere
 * it asks `ps`, which reports the same resident set size.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

interface ProcessInfo {
  pid: number;
  ppid: number;
  rssKb: number;
}

export interface TreeMemory {
  /** Sum of the tree's resident set sizes, in MB (2^20 bytes). */
  rssMb: number;
  /** How many processes the tree has, the root included. */
  processes: number;
  pids: number[];
}

export function processTreeMemory(rootPid: number): TreeMemory {
  const all = process.platform === 'linux' ? procTable() : psTable();
  const children = new Map<number, ProcessInfo[]>();
  for (const info of all) {
    const list = children.get(info.ppid) ?? [];
    list.push(info);
    children.set(info.ppid, list);
  }
  const root = all.find((p) => p.pid === rootPid);
  if (!root) return { rssMb: Number.NaN, processes: 0, pids: [] };
  let rssKb = 0;
  const pids: number[] = [];
  const queue = [root];
  for (let next = queue.pop(); next; next = queue.pop()) {
    rssKb += next.rssKb;
    pids.push(next.pid);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return { rssMb: rssKb / 1024, processes: pids.length, pids };
}

function procTable(): ProcessInfo[] {
  const table: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) table.push(info);
  }
  return table;
}

function readProc(pid: number): ProcessInfo | undefined {
  try {
    // `stat`: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    // Kernel threads and zombies have no VmRSS line: they hold no user memory.
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return { pid, ppid, rssKb: rss ? Number(rss[1]) : 0 };
  } catch {
    return undefined; // the process ended between readdir and read
  }
}

function psTable(): ProcessInfo[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((cols) => cols.length === 3 && cols.every(Number.isFinite))
    .map(([pid, ppid, rssKb]) => ({ pid: pid!, ppid: ppid!, rssKb: rssKb! }));
}

export interface ProcessMemory {
  pid: number;
  rssMb: number;
  /** The Lambda function an execution environment runs (AWS_LAMBDA_FUNCTION_NAME), or the command. */
  label: string;
}

/** Each process of the tree with its resident memory, largest first: who holds the memory. */
export function processTreeBreakdown(rootPid: number): ProcessMemory[] {
  if (process.platform !== 'linux') return [];
  return processTreeMemory(rootPid)
    .pids.map((pid) => ({ pid, rssMb: (readProc(pid)?.rssKb ?? 0) / 1024, label: pid === rootPid ? 'local cloud' : describeProcess(pid) }))
    .sort((a, b) => b.rssMb - a.rssMb);
}

/** The Lambda function an execution environment runs, or the process's command line. */
export function describeProcess(pid: number): string {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const name = environ.find((e) => e.startsWith('AWS_LAMBDA_FUNCTION_NAME='));
    if (name) return `function ${name.slice('AWS_LAMBDA_FUNCTION_NAME='.length)}`;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 80);
  } catch {
    return 'ended';
  }
}

/** Samples a process tree's memory at an interval and keeps the peak, e.g. during a load phase. */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private samples = 0;
  private peakBreakdown: ProcessMemory[] = [];

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Stops sampling (after one last sample) and answers the peak in MB, and who held it then. */
  stop(): { peakMb: number; samples: number; breakdown: ProcessMemory[] } {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return { peakMb: this.peak, samples: this.samples, breakdown: this.peakBreakdown };
  }

  private sample(): void {
    const { rssMb } = processTreeMemory(this.rootPid);
    if (!Number.isFinite(rssMb)) return;
    this.samples += 1;
    if (rssMb > this.peak) {
      this.peak = rssMb;
      // Only at a new peak: reading every process's environment is not free.
      this.peakBreakdown = processTreeBreakdown(this.rootPid);
    }
  }
}
