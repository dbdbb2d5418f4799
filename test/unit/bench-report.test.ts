/**
 * The bench's arithmetic and its report contract: medians and percentiles,
 * the completeness check `make test` relies on (keys present, finite numbers,
 * nothing lost — never speed), goals, and the table.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { GOALS, describeGoal, goalMet } from '../../harness/bench/goals.js';
import { QUICK, parseBenchArgs } from '../../harness/bench/options.js';
import { processTreeMemory } from '../../harness/bench/process-memory.js';
import { REQUIRED_NUMBERS, buildReport, reportProblems, valueAt, type PhaseResults } from '../../harness/bench/report.js';
import { percentile, percentiles, summarize } from '../../harness/bench/stats.js';
import { compareSequenceNumbers } from '../../harness/bench/stream-loader.js';
import { benchEvents, itemKey } from '../../harness/bench/sensor-events.js';
import { shortName } from '../../harness/bench/names.js';
import { renderTable } from '../../harness/bench/table.js';

const plain = Object.assign((_colour: string, text: string) => text, { enabled: false });

function summary(median: number, min = median, max = median, runs = 3) {
  return { median, min, max, runs };
}

function pct(p50: number, p95: number, p99: number) {
  return { p50, p95, p99, max: p99 + 1, count: 100 };
}

/** Every phase produced its figures. */
function completeResults(): PhaseResults {
  return {
    loopback: pct(0.1, 0.2, 0.3),
    coldStart: { processMs: summary(400, 380, 450), inProcessMs: summary(10), inProcessImportMs: 300 },
    deploy: { deployMs: summary(1200), buildMs: 500 },
    idleMemory: { rssMb: summary(120), processes: 3, breakdown: [] },
    dynamoFloor: { itemsPerSec: summary(5000), serialItemsPerSec: summary(4000) },
    kinesisPut: { recordsPerSec: summary(14000), http1RecordsPerSec: summary(12000) },
    throughput: {
      eventsPerSec: summary(4000, 3900, 4100),
      runs: [],
      eventsPerRun: 20000,
      lostEvents: 0,
      missingDatapoints: 0,
      peakMemoryMb: 200,
      peakBreakdown: [],
    },
    latency: { ms: pct(20, 40, 60), rate: 200, seconds: 30, events: 6000, unseen: 0, polls: 3000, pollRttMs: 1.2, drainMs: 30, firstTenthP50Ms: 20, lastTenthP50Ms: 21 },
    api: { ms: pct(4, 6, 8), itemsReturned: 20 },
    kinesisLocal: summary(550),
    hotReload: { ms: summary(300, 250, 400), readyMs: summary(120), firstInvokeMs: summary(170) },
    iam: {
      enforce: { eventsPerSec: summary(3800), apiP50Ms: summary(4.4), apiP99Ms: summary(8), deployMs: summary(1200), lostEvents: 0, cpuMsPerEvent: summary(1.05) },
      off: { eventsPerSec: summary(4000), apiP50Ms: summary(4), apiP99Ms: summary(7), deployMs: summary(1100), lostEvents: 0, cpuMsPerEvent: summary(1) },
      rounds: 1,
      eventsPerRun: 1000,
      apiInvokes: 30,
      throughputCost: 0.05,
      p50CostMs: 0.4,
      pairedDiffP50Ms: 0.35,
      cpuCostPerEvent: 0.05,
    },
  };
}

describe('bench: stats', () => {
  it('takes the median of odd and even counts, with min and max', () => {
    expect(summarize([5, 1, 3])).to.deep.equal({ median: 3, min: 1, max: 5, runs: 3 });
    expect(summarize([4, 1, 3, 2])).to.deep.equal({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(summarize([]).runs).to.equal(0);
    expect(summarize([]).median).to.be.NaN;
  });

  it('answers nearest-rank percentiles: always an observed value', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(samples, 50)).to.equal(50);
    expect(percentile(samples, 99)).to.equal(99);
    expect(percentile(samples, 100)).to.equal(100);
    expect(percentile([7], 99)).to.equal(7);
    expect(percentiles([3, 1, 2])).to.include({ p50: 2, p99: 3, max: 3, count: 3 });
  });

  it('compares sequence numbers as 128-bit integers, not as strings', () => {
    expect(compareSequenceNumbers('49590338271490256608559692538361571095921575989136588898', '9')).to.equal(1);
    expect(compareSequenceNumbers('100', '99')).to.equal(1);
    expect(compareSequenceNumbers('5', '5')).to.equal(0);
  });
});

describe('bench: events', () => {
  it('gives every event its own (SensorId, Timestamp) key, spread over the sensors', () => {
    const events = benchEvents('tp1', 1000, 50, Date.UTC(2026, 0, 1));
    expect(new Set(events.map((e) => itemKey(e.sensorId, e.timestamp))).size).to.equal(1000);
    expect(new Set(events.map((e) => e.sensorId)).size).to.equal(50);
    const body = JSON.parse(Buffer.from(events[3]!.entry.Data!).toString('utf8'));
    expect(body).to.have.keys(['sensorid', 'value', 'timestamp']);
    expect(body.value).to.be.a('number');
    expect(events[3]!.entry.PartitionKey).to.equal(body.sensorid);
  });
});

describe('bench: report', () => {
  it('carries every required key as a finite number when every phase ran', () => {
    const report = buildReport(completeResults(), { ...QUICK, resultsDir: '/tmp' }, []);
    expect(reportProblems(report)).to.deep.equal([]);
    // And survives the trip through JSON, as latest.json is read back.
    expect(reportProblems(JSON.parse(JSON.stringify(report)))).to.deep.equal([]);
    expect(report.throughputVsDynamoFloor).to.equal(0.8);
    expect(report.machine.node).to.equal(process.version);
    expect(report.machine.cpus).to.be.greaterThan(0);
  });

  it('names each missing figure, and the phase that failed', () => {
    const results = completeResults();
    delete results.latency;
    delete results.kinesisLocal;
    const report = buildReport(results, { ...QUICK, resultsDir: '/tmp' }, [{ phase: 'kinesis-local', message: 'did not start\ndetail' }]);
    const problems = reportProblems(JSON.parse(JSON.stringify(report)));
    expect(problems).to.include('latencyMs.p99 is not a finite number (null)');
    expect(problems).to.include('kinesisLocalPutRecordsPerSec is not a finite number (null)');
    expect(problems).to.include('kinesis-local failed: did not start');
  });

  it('fails a report that lost events, however fast it was', () => {
    const results = completeResults();
    results.throughput!.lostEvents = 3;
    const problems = reportProblems(buildReport(results, { ...QUICK, resultsDir: '/tmp' }, []));
    expect(problems).to.deep.equal(['3 events were lost (put, but missing from the table or the archive)']);
  });

  it('carries IAM enforced against IAM off under `iam`, with their costs against the goals', () => {
    const report = buildReport(completeResults(), { ...QUICK, resultsDir: '/tmp' }, []);
    expect(report.iam).to.deep.include({ throughputCost: 0.05, p50CostMs: 0.4, rounds: 1, eventsPerRun: 1000 });
    expect(report.iam.enforce).to.deep.include({ throughputEventsPerSec: 3800, apiLatencyMs: { p50: 4.4, p99: 8 }, lostEvents: 0 });
    expect(report.iam.off).to.deep.include({ throughputEventsPerSec: 4000, apiLatencyMs: { p50: 4, p99: 7 } });
    expect(report.goals.find((g) => g.key === 'iam.throughputCost')).to.include({ limit: 0.1, met: true });
    expect(report.goals.find((g) => g.key === 'iam.p50CostMs')).to.include({ limit: 1, met: true });

    const costly = completeResults();
    costly.iam!.throughputCost = 0.25;
    costly.iam!.p50CostMs = 2;
    const slow = buildReport(costly, { ...QUICK, resultsDir: '/tmp' }, []);
    expect(reportProblems(slow), 'a cost is a goal, never a failure').to.deep.equal([]);
    expect(slow.goals.filter((g) => g.key.startsWith('iam.')).map((g) => g.met)).to.deep.equal([false, false]);

    const lossy = completeResults();
    lossy.iam!.off.lostEvents = 2;
    expect(reportProblems(buildReport(lossy, { ...QUICK, resultsDir: '/tmp' }, []))).to.deep.equal(['2 events were lost with --iam off']);

    const missing = completeResults();
    delete missing.iam;
    expect(reportProblems(buildReport(missing, { ...QUICK, resultsDir: '/tmp' }, []))).to.include('iam.throughputCost is not a finite number (null)');
  });

  it('never fails a report for being slow', () => {
    const results = completeResults();
    results.coldStart!.processMs = summary(9000);
    results.throughput!.eventsPerSec = summary(10);
    const report = buildReport(results, { ...QUICK, resultsDir: '/tmp' }, []);
    expect(reportProblems(report)).to.deep.equal([]);
    expect(report.goals.find((g) => g.key === 'coldStartMs')?.met).to.equal(false);
  });

  it('reports a missing key as missing', () => {
    const report = JSON.parse(JSON.stringify(buildReport(completeResults(), { ...QUICK, resultsDir: '/tmp' }, [])));
    delete report.memoryMb.peak;
    delete report.machine;
    expect(reportProblems(report)).to.include.members(['memoryMb.peak is missing', 'machine.cpus is missing', 'machine.node is missing']);
    expect(REQUIRED_NUMBERS.every((key) => valueAt(buildReport(completeResults(), { ...QUICK, resultsDir: '/tmp' }, []), key) !== undefined)).to.equal(true);
  });
});

describe('bench: goals and table', () => {
  it('checks each goal in its direction and words it', () => {
    const throughput = GOALS.find((g) => g.key === 'throughputEventsPerSec')!;
    const cold = GOALS.find((g) => g.key === 'coldStartMs')!;
    expect(goalMet(throughput, 3000)).to.equal(true);
    expect(goalMet(throughput, 2999)).to.equal(false);
    expect(goalMet(cold, 501)).to.equal(false);
    expect(goalMet(cold, null)).to.equal(undefined);
    expect(describeGoal(throughput)).to.equal('≥ 3,000 events/s');
    expect(describeGoal(GOALS.find((g) => g.key === 'throughputVsDynamoFloor')!)).to.equal('≥ 70 %');
  });

  it('prints every figure with its goal mark, and n/a for what is missing', () => {
    const results = completeResults();
    results.coldStart!.processMs = summary(900, 800, 1000);
    delete results.api;
    const table = renderTable(buildReport(results, { ...QUICK, resultsDir: '/tmp' }, []), plain);
    const line = (label: string) => table.split('\n').find((l) => l.startsWith(label)) ?? '';
    expect(line('Cold start')).to.match(/900 ms\s+800–1000 ms \(3 runs\)\s+≤ 500 ms\s+✗$/);
    expect(line('Throughput')).to.match(/4,000 events\/s.*≥ 3,000 events\/s\s+✓$/);
    expect(line('  as a share')).to.match(/80 %.*✓$/);
    expect(line('Memory idle')).to.match(/120 MB.*✓$/);
    expect(table).to.match(/\n {2}p99\s+n\/a\s+≤ 10 ms\s+\?/);
    expect(table).to.match(/IAM enforce \/ off: throughput \(1,000 events\)\s+3,800 \/ 4,000 events\/s/);
    expect(table).to.match(/ {2}cost of enforcing\s+5\.0 %\s+CPU per event \+5\.0 %\s+≤ 10 %\s+✓/);
    expect(table).to.match(/ {2}cost of enforcing\s+0\.40 ms\s+per pair 0\.35 ms\s+≤ 1 ms\s+✓/);
  });
});

describe('bench: process memory', () => {
  it('sums the resident memory of a process and its children', async function () {
    if (process.platform !== 'linux') this.skip();
    // A parent that holds one child: the tree has two processes and more memory than the parent alone.
    const parent = spawn(process.execPath, ['-e', "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' }); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
    try {
      let tree = processTreeMemory(parent.pid!);
      for (let i = 0; i < 100 && tree.processes < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        tree = processTreeMemory(parent.pid!);
      }
      expect(tree.processes).to.equal(2);
      expect(tree.rssMb).to.be.greaterThan(10);
      for (const pid of tree.pids.filter((p) => p !== parent.pid)) process.kill(pid, 'SIGKILL');
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('answers NaN for a process that is not there', () => {
    expect(processTreeMemory(2 ** 22 + 12345).rssMb).to.be.NaN;
  });
});

describe('bench: options', () => {
  it('defaults to the full run and takes overrides', () => {
    const full = parseBenchArgs([]);
    expect(full).to.include({ quick: false, events: 20_000, latencyRate: 200, latencySeconds: 30 });
    const quick = parseBenchArgs(['--quick', '--events', '500', '--runs', '2']);
    expect(quick).to.include({ quick: true, events: 500, coldStartRuns: 2, throughputRuns: 2 });
    expect(() => parseBenchArgs(['--events', 'lots'])).to.throw(/--events must be a positive whole number/);
  });
});

describe('bench: names', () => {
  it('shortens stack-generated physical names to their logical part', () => {
    expect(shortName('iot-backend-DdbCloudWatchEventProcessorFunction-DUHQ0UBUW25JA')).to.equal('DdbCloudWatchEventProcessorFunction');
    expect(shortName('function iot-backend-ConfigHelperStack-NI8-AddConfigSetting-U786KXLQDAJHP')).to.equal('AddConfigSetting');
    expect(shortName('local cloud')).to.equal('local cloud');
  });
});
