#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { IAM_MODE_ENV, parseIamMode } from './auth/mode.js';
import { formatIamReport, type IamReport } from './auth/report.js';
import { IAM_REPORT_PATH } from './gateway/gateway.js';
import { startLocalCloud } from './localcloud.js';
import { DEBUG_FUNCTIONS_ENV, parseDebugFunctions } from './services/lambda/runtime/debug/debug-functions.js';

const USAGE = `usage: localcloud start [--port 4566] [--host 127.0.0.1] [--state DIR] [--iam enforce|report|off]
                        [--allow-origin ORIGIN]... [--allow-host NAME]... [--debug-function NAME=PORT]...
       localcloud iam report [--endpoint http://127.0.0.1:4566] [--json]

start       Runs the embedded local AWS cloud in the foreground. Point any AWS SDK or
            the AWS CLI at it with AWS_ENDPOINT_URL=http://127.0.0.1:4566 and the
            account root's keys AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test.
  --iam MODE             (or ${IAM_MODE_ENV}) enforce (default) verifies signatures and
                         applies IAM policies as AWS does; report allows what IAM would
                         deny and logs it; off checks nothing.
  --allow-origin ORIGIN  a web page origin (http://127.0.0.1:8080) that may call the
                         cloud from a browser; repeatable; env LOCALCLOUD_ALLOWED_ORIGINS
                         (comma-separated). Pages from other origins are refused.
  --allow-host NAME      a Host name the cloud answers to besides localhost and
                         127.0.0.1 (mycloud.test, *.mycloud.test); repeatable; env
                         LOCALCLOUD_ALLOWED_HOSTS. Other names are refused (DNS rebinding).
  --debug-function NAME=PORT
                         runs Lambda function NAME's environments with the Node
                         inspector on 127.0.0.1:PORT (no pause at start; one
                         environment at a time; timeout suspended while paused);
                         repeatable; env ${DEBUG_FUNCTIONS_ENV}=name=port,...
iam report  Per principal of a running cloud: the actions it used on which resources,
            what was denied and why, a least-privilege policy for what ran, and
            permissions granted but never used. Check it before make deploy-aws.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: process.env.LOCALCLOUD_PORT ?? '4566' },
      host: { type: 'string', default: process.env.LOCALCLOUD_HOST ?? '127.0.0.1' },
      state: { type: 'string', default: process.env.LOCALCLOUD_STATE },
      iam: { type: 'string' },
      endpoint: { type: 'string', default: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566' },
      json: { type: 'boolean' },
      // LOCALCLOUD_ALLOWED_ORIGINS / LOCALCLOUD_ALLOWED_HOSTS are read by startLocalCloud itself.
      'allow-origin': { type: 'string', multiple: true, default: [] },
      'allow-host': { type: 'string', multiple: true, default: [] },
      // LOCALCLOUD_DEBUG_FUNCTIONS is read by startLocalCloud itself.
      'debug-function': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] === 'iam' && positionals[1] === 'report') return iamReport(values.endpoint!, values.json ?? false);
  if (positionals[0] !== 'start') {
    console.log(USAGE);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`localcloud: --port must be a number between 0 and 65535, got '${values.port}'`);
    return 2;
  }
  let iam;
  try {
    iam = parseIamMode(values.iam, '--iam');
  } catch (err) {
    console.error(`localcloud: ${(err as Error).message}`);
    return 2;
  }
  let debugFunctions;
  try {
    debugFunctions = parseDebugFunctions(values['debug-function'], '--debug-function');
  } catch (err) {
    console.error(`localcloud: ${(err as Error).message}`);
    return 2;
  }
  const started = process.hrtime.bigint();
  // Listening beyond loopback, startLocalCloud's log (stderr) warns what that exposes.
  const cloud = await startLocalCloud({
    port,
    host: values.host,
    stateDir: values.state,
    iam,
    allowedOrigins: values['allow-origin'],
    allowedHosts: values['allow-host'],
    debugFunctions,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const mode = cloud.context.trust?.mode ?? 'off';
  console.log(
    `localcloud ready on ${cloud.url} (${values.state ? `state in ${values.state}` : 'in-memory'}, IAM ${mode}, started in ${ms.toFixed(0)} ms)`,
  );
  const origins = [...values['allow-origin'], ...(process.env.LOCALCLOUD_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean)];
  const debugged = Object.entries(cloud.debuggedFunctions());
  if (debugged.length) console.log(`localcloud: Lambda debug mode (Node inspector): ${debugged.map(([name, port]) => `${name} on 127.0.0.1:${port}`).join(', ')}`);
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

/** Reads the running cloud's report and prints it (as text, or the JSON itself with --json). */
async function iamReport(endpoint: string, json: boolean): Promise<number> {
  const url = new URL(IAM_REPORT_PATH, endpoint);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    console.error(`localcloud: no local cloud answers at ${endpoint} (${(err as Error).message}); start one with 'make up' or 'npx localcloud start', or pass --endpoint`);
    return 1;
  }
  if (!response.ok) {
    console.error(`localcloud: ${url} answered ${response.status}: is this a localcloud (LocalStack has no IAM report)?`);
    return 1;
  }
  const report = (await response.json()) as IamReport;
  console.log(json ? JSON.stringify(report, null, 2) : formatIamReport(report));
  return 0;
}


main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`localcloud: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
