/** The report as a table for the terminal: each figure, its spread, and its goal with ✓/✗. */
import { GOALS, describeGoal, goalMet, type Goal } from './goals.js';
import type { BenchReport } from './report.js';
import type { Paint } from '../support/terminal.js';
import { shortName } from './names.js';

interface Row {
  label: string;
  value: string;
  spread: string;
  goal?: Goal;
  goalValue?: number | null;
}

export function renderTable(report: BenchReport, paint: Paint): string {
  const d = report.details as Record<string, any>;
  const rows: (Row | 'rule')[] = [
    { label: 'Cold start (process → healthy)', value: ms(report.coldStartMs), spread: range(d.coldStart?.processMs, 'ms'), goal: goal('coldStartMs'), goalValue: report.coldStartMs },
    { label: '  startLocalCloud() in-process', value: ms(d.coldStart?.inProcessMs?.median), spread: range(d.coldStart?.inProcessMs, 'ms') },
    { label: 'Deploy to CREATE_COMPLETE', value: ms(report.deployMs), spread: range(d.deploy?.deployMs, 'ms'), goal: goal('deployMs'), goalValue: report.deployMs },
    { label: `Throughput (${count(report.events)} events)`, value: rate(report.throughputEventsPerSec, 'events/s'), spread: range(d.throughput?.eventsPerSec, ''), goal: goal('throughputEventsPerSec'), goalValue: report.throughputEventsPerSec },
    { label: '  as a share of the DynamoDB floor', value: percent(report.throughputVsDynamoFloor), spread: d.dynamoFloor?.throughputVsSerial != null ? `${percent(d.dynamoFloor.throughputVsSerial)} of one-at-a-time` : '', goal: goal('throughputVsDynamoFloor'), goalValue: report.throughputVsDynamoFloor },
    { label: `Latency p50 / p95 (${d.latency?.rate ?? '?'}/s)`, value: `${ms(report.latencyMs.p50)} / ${ms(report.latencyMs.p95)}`, spread: d.latency ? `max ${ms(d.latency.max)}` : '' },
    { label: '  p99', value: ms(report.latencyMs.p99), spread: d.latency ? `poll ${ms(d.latency.pollRttMs)}` : '', goal: goal('latencyMs.p99'), goalValue: report.latencyMs.p99 },
    { label: 'API warm invoke p50', value: ms(report.apiLatencyMs.p50), spread: d.api?.handlerMs ? `handler ${ms(d.api.handlerMs.p50)}` : '' },
    { label: '  p99', value: ms(report.apiLatencyMs.p99), spread: d.api?.handlerMs ? `handler ${ms(d.api.handlerMs.p99)}` : '', goal: goal('apiLatencyMs.p99'), goalValue: report.apiLatencyMs.p99 },
    { label: 'Hot reload (save → new code answers)', value: ms(report.hotReloadMs), spread: d.hotReload ? `ready ${ms(d.hotReload.readyMs?.median)} + cold invoke ${ms(d.hotReload.firstInvokeMs?.median)}` : '', goal: goal('hotReloadMs'), goalValue: report.hotReloadMs },
    { label: 'Memory idle (cloud + functions)', value: mb(report.memoryMb.idle), spread: d.idleMemory ? `${d.idleMemory.processes} processes` : '', goal: goal('memoryMb.idle'), goalValue: report.memoryMb.idle },
    { label: '  peak during throughput', value: mb(report.memoryMb.peak), spread: '' },
    { label: 'Lost events', value: report.lostEvents === null ? 'n/a' : String(report.lostEvents), spread: '', goal: goal('lostEvents'), goalValue: report.lostEvents },
    'rule',
    { label: `IAM enforce / off: throughput (${count(report.iam.eventsPerRun)} events)`, value: `${rate(report.iam.enforce.throughputEventsPerSec, '')}/ ${rate(report.iam.off.throughputEventsPerSec, 'events/s')}`, spread: report.iam.rounds ? `${report.iam.rounds} round${report.iam.rounds > 1 ? 's' : ''}` : '' },
    { label: '  cost of enforcing', value: percent(report.iam.throughputCost, 1), spread: report.iam.cpuCostPerEvent !== null ? `CPU per event ${report.iam.cpuCostPerEvent >= 0 ? '+' : ''}${percent(report.iam.cpuCostPerEvent, 1)}` : '', goal: goal('iam.throughputCost'), goalValue: report.iam.throughputCost },
    { label: 'IAM enforce / off: API p50', value: `${ms(report.iam.enforce.apiLatencyMs.p50)} / ${ms(report.iam.off.apiLatencyMs.p50)}`, spread: `p99 ${ms(report.iam.enforce.apiLatencyMs.p99)} / ${ms(report.iam.off.apiLatencyMs.p99)}` },
    { label: '  cost of enforcing', value: ms(report.iam.p50CostMs), spread: report.iam.pairedDiffP50Ms !== null ? `per pair ${ms(report.iam.pairedDiffP50Ms)}` : '', goal: goal('iam.p50CostMs'), goalValue: report.iam.p50CostMs },
    'rule',
    { label: 'ref: DynamoDB BatchWriteItem', value: rate(report.dynamoFloorItemsPerSec, 'items/s'), spread: range(d.dynamoFloor?.itemsPerSec, '') },
    { label: '  one call at a time', value: rate(d.dynamoFloor?.serialItemsPerSec?.median, 'items/s'), spread: range(d.dynamoFloor?.serialItemsPerSec, '') },
    { label: '  one call of 25 items', value: ms(d.dynamoFloor?.serialCallMs), spread: '' },
    { label: 'ref: PutMetricData, 25 datums', value: ms(d.putMetricData?.callOf25Ms?.p50), spread: d.putMetricData ? `p99 ${ms(d.putMetricData.callOf25Ms.p99)}` : '' },
    { label: 'ref: Kinesis PutRecords (ours)', value: rate(report.kinesisPutRecordsPerSec, 'records/s'), spread: range(d.kinesisPut?.recordsPerSec, '') },
    { label: '  over HTTP/1.1', value: rate(d.kinesisPut?.http1RecordsPerSec?.median, 'records/s'), spread: range(d.kinesisPut?.http1RecordsPerSec, '') },
    { label: 'ref: kinesis-local PutRecords', value: rate(report.kinesisLocalPutRecordsPerSec, 'records/s'), spread: range(d.kinesisLocal?.recordsPerSec, '') },
    { label: 'ref: loopback HTTP round trip', value: ms(report.loopbackRttMs, 3), spread: d.loopback ? `p99 ${ms(d.loopback.p99, 3)}` : '' },
  ];

  const cells = rows.map((row) => {
    if (row === 'rule') return 'rule' as const;
    const met = row.goal ? goalMet(row.goal, row.goalValue) : undefined;
    const mark = !row.goal ? '' : met === undefined ? paint('yellow', '?') : met ? paint('green', '✓') : paint('red', '✗');
    return [row.label, row.value, row.spread, row.goal ? describeGoal(row.goal) : '', mark];
  });
  const header = ['Figure', 'Median', 'Spread (min–max)', 'Goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c === 'rule' ? 0 : visible(c[i]!).length))));
  const format = (c: string[]) => c.map((cell, i) => (i === 1 ? padStart(cell, widths[i]!) : padEnd(cell, widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('──');
  return [paint('bold', format(header)), rule, ...cells.map((c) => (c === 'rule' ? rule : format(c)))].join('\n');
}

function goal(key: string): Goal {
  const found = GOALS.find((g) => g.key === key);
  if (!found) throw new Error(`no goal for ${key}`);
  return found;
}

function ms(value: unknown, digits?: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'n/a';
  const d = digits ?? (value < 10 ? 2 : value < 100 ? 1 : 0);
  return `${value.toFixed(d)} ms`;
}

function mb(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(0)} MB`;
}

function rate(value: unknown, unit: string): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')} ${unit}` : 'n/a';
}

function percent(value: number | null, digits = 0): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(digits)} %`;
}

function count(value: number | null): string {
  return value === null ? '?' : value.toLocaleString('en-US');
}

function range(summary: { min?: number | null; max?: number | null; runs?: number } | undefined, unit: string): string {
  if (!summary || typeof summary.min !== 'number' || typeof summary.max !== 'number') return '';
  const f = (v: number) => (unit === 'ms' ? (v < 100 ? v.toFixed(1) : v.toFixed(0)) : Math.round(v).toLocaleString('en-US'));
  const runs = summary.runs && summary.runs > 1 ? ` (${summary.runs} runs)` : summary.runs === 1 ? ' (1 run)' : '';
  return `${f(summary.min)}–${f(summary.max)}${unit ? ` ${unit}` : ''}${runs}`;
}

// Widths count what shows, not colour codes.
function visible(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visible(text).length));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visible(text).length)) + text;
}


/**
 * Below the table: where the pipeline's time and the idle memory go — per
 * stream function (from its REPORT lines, last throughput run) and per process.
 */
export function renderBreakdown(report: BenchReport, paint: Paint): string {
  const d = report.details as Record<string, any>;
  const lines: string[] = [];
  const runs = d.throughput?.runs as { events: number; elapsedMs: number; functions?: any[]; cpu?: { label: string; cores: number }[] }[] | undefined;
  const last = runs?.[runs.length - 1];
  if (last?.functions?.length) {
    lines.push(paint('bold', `Pipeline, last throughput run (${count(last.events)} events in ${ms(last.elapsedMs)}):`));
    for (const f of last.functions) {
      const perBatch = f.invocations > 0 ? last.events / f.invocations : Number.NaN;
      lines.push(
        `  ${shortName(f.functionName)}: ${f.invocations} invocations of ~${perBatch.toFixed(0)} events (BatchSize ${f.batchSize}); ` +
          `handler p50 ${ms(f.durationMs?.p50)}, mean ${ms(f.durationMs?.mean)}; one batch every ${ms(f.cycleMs)}, ` +
          `${ms(f.outsideHandlerMs)} of it outside the handler`,
      );
    }
    if (last.cpu?.length) {
      lines.push(`  CPU, in cores busy: ${last.cpu.map((c) => `${shortName(c.label)} ${c.cores.toFixed(2)}`).join(', ')}`);
    }
  }
  const deploy = d.deploy;
  if (deploy?.slowestResources?.length) {
    lines.push(paint('bold', `Deploy, last run: ${ms(deploy.engineMs)} from the stack's CREATE_IN_PROGRESS to its CREATE_COMPLETE; slowest resources:`));
    lines.push(`  ${deploy.slowestResources.map((r: { path: string; durationMs: number }) => `${r.path} ${ms(r.durationMs)}`).join(', ')}`);
  }
  for (const [title, byProcess] of [
    ['Idle memory by process', d.idleMemory?.byProcess],
    ['Peak memory by process', d.throughput?.peakMemoryByProcess],
  ] as [string, { label: string; rssMb: number }[] | undefined][]) {
    if (!byProcess?.length) continue;
    lines.push(paint('bold', `${title}:`));
    lines.push(`  ${byProcess.map((p) => `${shortName(p.label)} ${mb(p.rssMb)}`).join(', ')}`);
  }
  return lines.join('\n');
}
