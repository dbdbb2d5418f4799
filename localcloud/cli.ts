#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startLocalCloud } from './localcloud.js';

const USAGE = `usage: localcloud start [--port 4566] [--host 127.0.0.1] [--state DIR]

Runs the embedded local AWS cloud in the foreground. Point any AWS SDK or the
AWS CLI at it with AWS_ENDPOINT_URL=http://127.0.0.1:4566 (any credentials).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: process.env.LOCALCLOUD_PORT ?? '4566' },
      host: { type: 'string', default: process.env.LOCALCLOUD_HOST ?? '127.0.0.1' },
      state: { type: 'string', default: process.env.LOCALCLOUD_STATE },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'start') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`localcloud: --port must be a number between 0 and 65535, got '${values.port}'`);
    return 2;
  }
  const started = process.hrtime.bigint();
  const cloud = await startLocalCloud({ port, host: values.host, stateDir: values.state });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`localcloud ready on ${cloud.url} (${values.state ? `state in ${values.state}` : 'in-memory'}, started in ${ms.toFixed(0)} ms)`);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      console.log(`localcloud: ${signal}, stopping`);
      cloud.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`localcloud: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
