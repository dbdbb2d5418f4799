#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startLocalCloud } from './localcloud.js';

const USAGE = `usage: localcloud start [--port 4566] [--host 127.0.0.1] [--state DIR]
                       [--allow-origin ORIGIN]... [--allow-host NAME]...

Runs the embedded local AWS cloud in the foreground. Point any AWS SDK or the
AWS CLI at it with AWS_ENDPOINT_URL=http://127.0.0.1:4566 (any credentials).

  --allow-origin ORIGIN  a web page origin (http://127.0.0.1:8080) that may call the
                         cloud from a browser; repeatable; env LOCALCLOUD_ALLOWED_ORIGINS
                         (comma-separated). Pages from other origins are refused.
  --allow-host NAME      a Host name the cloud answers to besides localhost and
                         127.0.0.1 (mycloud.test, *.mycloud.test); repeatable; env
                         LOCALCLOUD_ALLOWED_HOSTS. Other names are refused (DNS rebinding).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: process.env.LOCALCLOUD_PORT ?? '4566' },
      host: { type: 'string', default: process.env.LOCALCLOUD_HOST ?? '127.0.0.1' },
      state: { type: 'string', default: process.env.LOCALCLOUD_STATE },
      // LOCALCLOUD_ALLOWED_ORIGINS / LOCALCLOUD_ALLOWED_HOSTS are read by startLocalCloud itself.
      'allow-origin': { type: 'string', multiple: true, default: [] },
      'allow-host': { type: 'string', multiple: true, default: [] },
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
  // Listening beyond loopback, startLocalCloud's log (stderr) warns what that exposes.
  const cloud = await startLocalCloud({
    port,
    host: values.host,
    stateDir: values.state,
    allowedOrigins: values['allow-origin'],
    allowedHosts: values['allow-host'],
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`localcloud ready on ${cloud.url} (${values.state ? `state in ${values.state}` : 'in-memory'}, started in ${ms.toFixed(0)} ms)`);
  const origins = [...values['allow-origin'], ...(process.env.LOCALCLOUD_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean)];
  console.log(origins.length ? `localcloud: web pages allowed to call it: ${origins.join(', ')}` : 'localcloud: no web page may call it from a browser (--allow-origin to let one)');

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
