/** What a bench run does: the full defaults, the quick mode `make test` runs, and command-line overrides. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../support/paths.js';

export interface BenchOptions {
  quick: boolean;
  /** Cold start: spawned processes, and in-process starts. */
  coldStartRuns: number;
  /** Deploys, each on a fresh cloud. */
  deployRuns: number;
  /** Throughput: events per run, spread over this many sensors. */
  events: number;
  sensors: number;
  throughputRuns: number;
  /** PutRecords calls in flight while loading the stream. */
  putConcurrency: number;
  /** Steady-rate latency phase. */
  latencyRate: number;
  latencySeconds: number;
  /** Warm invokes of the query function (after a few unmeasured ones). */
  apiInvokes: number;
  /** Reference points: items / records per run, and runs per reference. */
  dynamoFloorItems: number;
  kinesisRecords: number;
  kinesisLocalRecords: number;
  referenceRuns: number;
  loopbackRoundTrips: number;
  /**
   * IAM cost: rounds of (a cloud with IAM enforced, a cloud with IAM off),
   * each deployed and measured alike — throughput over `iamEvents` events and
   * `apiInvokes` warm API invokes. The order alternates between rounds.
   */
  iamRounds: number;
  iamEvents: number;
  /** Hot reload: edits of the API function's source, each timed until the new code answers. */
  hotReloadRuns: number;
  /** Where latest.json and the dated copies go. */
  resultsDir: string;
}

export const FULL: Omit<BenchOptions, 'resultsDir'> = {
  quick: false,
  coldStartRuns: 5,
  deployRuns: 3,
  events: 20_000,
  sensors: 200,
  throughputRuns: 3,
  putConcurrency: 4,
  latencyRate: 200,
  latencySeconds: 30,
  apiInvokes: 300,
  dynamoFloorItems: 20_000,
  kinesisRecords: 20_000,
  kinesisLocalRecords: 5_000,
  referenceRuns: 3,
  loopbackRoundTrips: 2_000,
  iamRounds: 2,
  iamEvents: 10_000,
  hotReloadRuns: 5,
};

/** Well under a minute: enough to prove every phase still runs end to end, not to measure. */
export const QUICK: Omit<BenchOptions, 'resultsDir'> = {
  quick: true,
  coldStartRuns: 2,
  deployRuns: 1,
  events: 1_000,
  sensors: 50,
  throughputRuns: 1,
  putConcurrency: 4,
  latencyRate: 200,
  latencySeconds: 5,
  apiInvokes: 30,
  dynamoFloorItems: 2_000,
  kinesisRecords: 2_000,
  kinesisLocalRecords: 500,
  referenceRuns: 1,
  loopbackRoundTrips: 200,
  iamRounds: 1,
  iamEvents: 1_000,
  hotReloadRuns: 2,
};

export const DEFAULT_RESULTS_DIR = path.join(PROJECT_ROOT, 'bench', 'results');

export const USAGE = `usage: tsx harness/bench/cli.ts [--quick] [options]

Benchmarks the embedded local cloud with the project's stack deployed: cold
start, deploy, pipeline throughput and latency, API latency, memory, and
reference points measured in the same run, and what IAM enforcement costs
(the same stack measured on a cloud with --iam enforce and one with --iam off). Prints a table and writes
bench/results/latest.json (and a dated copy).

  --quick            a fast smoke run (make test): checks the report is complete
  --events N         events per throughput run (default ${FULL.events})
  --sensors N        sensors the events are spread over (default ${FULL.sensors})
  --rate N           events/s in the latency phase (default ${FULL.latencyRate})
  --duration S       seconds of the latency phase (default ${FULL.latencySeconds})
  --runs N           repetitions of each repeated measurement
  --results DIR      where to write the report (default bench/results)`;

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      events: { type: 'string' },
      sensors: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      runs: { type: 'string' },
      results: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const base = values.quick ? QUICK : FULL;
  const options: BenchOptions = { ...base, resultsDir: path.resolve(values.results ?? DEFAULT_RESULTS_DIR) };
  if (values.events !== undefined) options.events = positiveInt('--events', values.events);
  if (values.sensors !== undefined) options.sensors = positiveInt('--sensors', values.sensors);
  if (values.rate !== undefined) options.latencyRate = positiveInt('--rate', values.rate);
  if (values.duration !== undefined) options.latencySeconds = positiveInt('--duration', values.duration);
  if (values.runs !== undefined) {
    const runs = positiveInt('--runs', values.runs);
    Object.assign(options, { coldStartRuns: runs, deployRuns: runs, throughputRuns: runs, referenceRuns: runs, iamRounds: runs, hotReloadRuns: runs });
  }
  return options;
}

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got '${text}'`);
  return value;
}
