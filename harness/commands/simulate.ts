import path from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { OUTPUTS_DIR_OPTION, STACK_OPTION, TARGET_OPTION } from '../cli/common.js';
import type { OptionValues } from '../cli/options.js';
import { loadOutputs } from '../deploy/outputs.js';
import { runSimulation, type SimulationStats } from '../simulator/producer.js';
import { UserError, errorMessage } from '../support/errors.js';
import { takeInterrupts } from '../support/interrupt.js';
import { formatDuration, type Reporter } from '../support/terminal.js';
import { isTargetName } from '../targets/index.js';
import type { Command } from './types.js';

export const simulateCommand: Command = {
  name: 'simulate',
  brief: 'send realistic sensor events with the TestClient keys',
  usage: 'tsx harness/cli.ts simulate [--sensors 5] [--rate 10] [--duration 30] [--bad-ratio 0] [options]',
  summary:
    "Sends realistic sensor events to the stack's Kinesis stream with the TestClient keys from the saved\n" +
    'outputs, through PutRecords in batches of up to 500, with a live progress line and a summary.',
  options: [
    TARGET_OPTION,
    STACK_OPTION,
    OUTPUTS_DIR_OPTION,
    { flag: 'sensors', type: 'number', env: 'SENSORS', default: 5, description: 'how many simulated sensors' },
    { flag: 'rate', type: 'number', env: 'RATE', default: 10, description: 'events per second, across all sensors' },
    { flag: 'duration', type: 'number', env: 'DURATION', default: 30, description: 'seconds to run; 0 runs until Ctrl-C' },
    { flag: 'bad-ratio', type: 'number', env: 'BAD_RATIO', default: 0, description: 'share of malformed events, 0..1 (bad JSON, no sensorid, string value)' },
  ],
  async run(values: OptionValues, reporter: Reporter): Promise<number> {
    const target = String(values.target);
    if (!isTargetName(target)) throw new UserError(`unknown target '${target}'`, 2);
    const sensors = Number(values.sensors);
    const rate = Number(values.rate);
    const duration = Number(values.duration);
    const badRatio = Number(values.badRatio);
    if (!Number.isInteger(sensors) || sensors < 1) throw new UserError(`--sensors / SENSORS must be a whole number of at least 1, got ${values.sensors}`, 2);
    if (!(rate > 0)) throw new UserError(`--rate / RATE must be more than 0 events per second, got ${values.rate}`, 2);
    if (!(duration >= 0)) throw new UserError(`--duration / DURATION must be 0 (until Ctrl-C) or more seconds, got ${values.duration}`, 2);
    if (!(badRatio >= 0 && badRatio <= 1)) throw new UserError(`--bad-ratio / BAD_RATIO must be between 0 and 1, got ${values.badRatio}`, 2);

    const saved = loadOutputs(target, String(values.stack), path.resolve(String(values.outputsDir)));
    const { AccessKeyId, SecretAccessKey, KinesisStream } = saved.outputs;
    if (!AccessKeyId || !SecretAccessKey || !KinesisStream) {
      throw new UserError(`the saved outputs of ${saved.stackName} lack AccessKeyId, SecretAccessKey or KinesisStream; deploy again`);
    }
    // The TestClient's keys, as a device would have them: the simulator proves they are enough.
    const kinesis = new KinesisClient({
      region: saved.region,
      ...(saved.endpoint ? { endpoint: saved.endpoint } : {}),
      credentials: { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey },
    });
    const where = saved.endpoint ?? `AWS ${saved.region}`;
    reporter.info(
      `Sending ${duration > 0 ? Math.round(rate * duration) : 'unlimited'} events from ${sensors} sensors at ${rate}/s` +
        `${badRatio > 0 ? ` (${Math.round(badRatio * 100)}% malformed)` : ''} to ${KinesisStream} on ${where}${duration > 0 ? '' : ' — Ctrl-C stops'}`,
    );

    const abort = new AbortController();
    // Ctrl-C ends the run early but still prints the summary.
    const releaseInterrupts = takeInterrupts(() => abort.abort());
    const progress = progressPrinter(reporter);
    let stats: SimulationStats;
    try {
      stats = await runSimulation(kinesis, {
        streamName: KinesisStream,
        sensors,
        rate,
        durationSeconds: duration,
        badRatio,
        signal: abort.signal,
        onProgress: progress.update,
        progressIntervalMs: process.stdout.isTTY ? 250 : 5000,
      });
    } catch (error) {
      progress.end();
      const message = errorMessage(error);
      if (/ECONNREFUSED|ENOTFOUND|socket hang up/i.test(message) || (error as { code?: string }).code === 'ECONNREFUSED') {
        throw new UserError(`nothing answers at ${where}: is the cloud running? (make up)`);
      }
      throw new UserError(`sending to ${KinesisStream} failed: ${message}`);
    } finally {
      releaseInterrupts();
      kinesis.destroy();
    }
    progress.end();
    const perSecond = stats.elapsedMs > 0 ? (stats.sent * 1000) / stats.elapsedMs : 0;
    const { paint } = reporter;
    reporter.info(
      `${stats.failed === 0 ? paint('green', '✓') : paint('red', '✗')} sent ${stats.sent} events in ${formatDuration(stats.elapsedMs)} ` +
        `(${perSecond.toFixed(1)}/s, ${stats.calls} PutRecords calls), ${stats.malformed} malformed on purpose, ` +
        `${stats.retried} retried, ${stats.failed} failed${stats.firstError ? ` — first error: ${stats.firstError}` : ''}`,
    );
    return stats.failed === 0 ? 0 : 1;
  },
};

/** One line redrawn in place on a TTY; a line every few seconds otherwise. */
function progressPrinter(reporter: Reporter) {
  const tty = Boolean(process.stdout.isTTY);
  let drawn = false;
  let last = '';
  return {
    update(stats: SimulationStats) {
      const rate = stats.elapsedMs > 0 ? (stats.sent * 1000) / stats.elapsedMs : 0;
      const line = `  sent ${stats.sent} · ${rate.toFixed(1)}/s · failed ${stats.failed} · malformed ${stats.malformed} · ${formatDuration(stats.elapsedMs)}`;
      if (line === last) return;
      last = line;
      if (tty) {
        process.stdout.write(`\r\x1b[K${line}`);
        drawn = true;
      } else {
        reporter.info(line);
      }
    },
    end() {
      if (drawn) process.stdout.write('\n');
      drawn = false;
    },
  };
}
