import { CODE_OPTIONS, TARGET_OPTIONS, commonSettings } from '../cli/common.js';
import type { OptionValues } from '../cli/options.js';
import { sleep } from '../deploy/stacks.js';
import { UserError } from '../support/errors.js';
import type { Reporter } from '../support/terminal.js';
import { processAlive } from '../targets/state-lock.js';
import { KEEP_CODE_OPTION, destroyOnTarget } from './destroy.js';
import type { Command } from './types.js';
import { readUpState } from './up-state.js';

const STOP_TIMEOUT_MS = 30_000;

export const downCommand: Command = {
  name: 'down',
  brief: 'stop what `up` started (--destroy also deletes the stack)',
  usage: 'tsx harness/cli.ts down [--destroy] [options]',
  summary:
    'Stops what `make up` started (it finds it through .localcloud/up.json). With --destroy / DESTROY=1\n' +
    "it first destroys the stack (archive bucket emptied, stack deleted, log groups deleted) on up's target.",
  options: [
    ...TARGET_OPTIONS,
    ...CODE_OPTIONS,
    KEEP_CODE_OPTION,
    { flag: 'destroy', type: 'boolean', env: 'DESTROY', default: false, description: 'also destroy the stack' },
  ],
  async run(values: OptionValues, reporter: Reporter): Promise<number> {
    const running = readUpState();
    if (values.destroy) {
      // While `up` runs, its cloud is the one to clean; otherwise the target is started (embedded: from its state) just for this.
      const settings = commonSettings(values, running ? { port: running.port, region: running.region } : {});
      if (running) {
        settings.targetName = running.target;
        settings.stackName = running.stackName;
        settings.region = running.region;
        if (running.target === 'endpoint' && running.endpoint) settings.target.endpointUrl = running.endpoint;
      }
      await destroyOnTarget(settings, values, reporter);
    }
    if (!running) {
      reporter.info('Nothing to stop: no make up is running.');
      return 0;
    }
    process.kill(running.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (processAlive(running.pid)) {
      if (Date.now() > deadline) {
        throw new UserError(`make up (pid ${running.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s; end it with: kill ${running.pid}`);
      }
      await sleep(200);
    }
    reporter.info(`Stopped make up (pid ${running.pid}, ${running.target}, stack ${running.stackName}).`);
    return 0;
  },
};
