/** What a soak run does: the full defaults, the quick mode `make test` runs, and command-line overrides. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RESULTS_DIR } from '../bench/options.js';

export interface SoakOptions {
  quick: boolean;
  /** Fuzz: keep every n-th non-essential case (1 = all); made-up regions and accounts. */
  fuzzSampleStep: number;
  regions: number;
  accounts: number;
  /** Client deadline of one fuzz request: past it the cloud counts as frozen. */
  requestTimeoutMs: number;
  /** Restarts (freezes, crashes) after which the rest of a fuzz class is skipped and counted as skipped: bounds the quick run. */
  maxRestartsPerClass: number;
  /** A connection that went silent mid-request must be closed by the cloud within this. */
  silentLimitSeconds: number;
  /**
   * Mixed load: concurrent clients, seconds of load, seconds to settle once idle. A full run
   * settles past Lambda's reaping of idle environments (60 s idle, checked every 15 s; see
   * LOCALCLOUD_LAMBDA_IDLE_SECONDS), so the idle figure is what a user who stopped calling sees.
   */
  clients: number;
  loadSeconds: number;
  idleSettleSeconds: number;
  /** Seconds of the same load from pre-signed wire clients, which leave the CPU to the cloud. */
  wireSeconds: number;
  /** Crash: kill -9s, seconds of ingestion between them, events put per second. */
  crashKills: number;
  crashSegmentSeconds: number;
  crashEventsPerSecond: number;
  /** Long run: seconds of API invokes and queries. */
  longRunSeconds: number;
  /** Descriptors of the cloud's process tree that count as a leak (an invariant). */
  fdLimit: number;
  resultsDir: string;
}

export const FULL: Omit<SoakOptions, 'resultsDir'> = {
  quick: false,
  fuzzSampleStep: 1,
  regions: 150,
  accounts: 50,
  requestTimeoutMs: 5000,
  maxRestartsPerClass: Number.POSITIVE_INFINITY,
  silentLimitSeconds: 60,
  clients: 50,
  loadSeconds: 60,
  idleSettleSeconds: 80,
  wireSeconds: 30,
  crashKills: 4,
  crashSegmentSeconds: 4,
  crashEventsPerSecond: 200,
  longRunSeconds: 300,
  fdLimit: 500,
};

/** About a minute: every phase and every invariant, on a small scale; never a timing. */
export const QUICK: Omit<SoakOptions, 'resultsDir'> = {
  quick: true,
  fuzzSampleStep: 12,
  regions: 40,
  accounts: 10,
  requestTimeoutMs: 2000,
  maxRestartsPerClass: 1,
  silentLimitSeconds: 60,
  clients: 8,
  loadSeconds: 5,
  idleSettleSeconds: 2,
  wireSeconds: 2,
  crashKills: 2,
  crashSegmentSeconds: 1,
  crashEventsPerSecond: 200,
  longRunSeconds: 8,
  fdLimit: 500,
};

export const USAGE = `usage: tsx harness/soak/cli.ts [--quick] [options]

Soaks the embedded local cloud, run as its own process on a loopback port:
garbage fuzz, mixed load, kill -9 mid-ingestion, a long run, memory after a
deploy. Prints a table and writes bench/results/soak-latest.json (and a dated
copy). --quick (make test) checks invariants only and exits non-zero when one
breaks: 0 lost events, 0 non-AWS-shaped answers, server alive, bounded fds.

  --quick              about a minute; invariants only
  --clients N          mixed-load clients (default ${FULL.clients})
  --load-seconds S     mixed-load duration (default ${FULL.loadSeconds})
  --long-run-seconds S long-run duration (default ${FULL.longRunSeconds})
  --kills N            kill -9s in the crash phase (default ${FULL.crashKills})
  --results DIR        where to write the report (default bench/results)`;

export function parseSoakArgs(argv: string[]): SoakOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      clients: { type: 'string' },
      'load-seconds': { type: 'string' },
      'long-run-seconds': { type: 'string' },
      kills: { type: 'string' },
      results: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const options: SoakOptions = { ...(values.quick ? QUICK : FULL), resultsDir: path.resolve(values.results ?? DEFAULT_RESULTS_DIR) };
  if (values.clients !== undefined) options.clients = positiveInt('--clients', values.clients);
  if (values['load-seconds'] !== undefined) options.loadSeconds = positiveInt('--load-seconds', values['load-seconds']);
  if (values['long-run-seconds'] !== undefined) options.longRunSeconds = positiveInt('--long-run-seconds', values['long-run-seconds']);
  if (values.kills !== undefined) options.crashKills = positiveInt('--kills', values.kills);
  return options;
}

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got '${text}'`);
  return value;
}
