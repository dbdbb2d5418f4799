/** Options every command shares, and how they become target settings. */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../support/errors.js';
import { DEFAULT_OUTPUTS_DIR, DEFAULT_STATE_DIR, LOCALCLOUD_LOG, displayPath } from '../support/paths.js';
import { debugEnabled } from '../support/terminal.js';
import { DEFAULT_LOCALSTACK_IMAGE } from '../targets/localstack.js';
import { isTargetName, targetByName, type Connection, type TargetName, type TargetSettings } from '../targets/index.js';
import { TARGET_NAMES } from '../targets/types.js';
import { port, type OptionSpec, type OptionValues } from './options.js';

export const TARGET_OPTION: OptionSpec = {
  flag: 'target',
  type: 'string',
  env: 'TARGET',
  default: 'embedded',
  description: `where the stack lives: ${TARGET_NAMES.join(' | ')}`,
};
export const STACK_OPTION: OptionSpec = {
  flag: 'stack',
  type: 'string',
  env: 'STACK',
  default: 'iot-backend',
  description: 'stack name (lower case: the archive bucket is named after it)',
};
export const REGION_OPTION: OptionSpec = {
  flag: 'region',
  type: 'string',
  env: 'REGION',
  defaultText: 'AWS_REGION, else us-east-1',
  description: 'AWS region',
};
export const PORT_OPTION: OptionSpec = {
  flag: 'port',
  type: 'number',
  env: 'PORT',
  default: 4566,
  description: 'edge port of the embedded cloud / LocalStack on 127.0.0.1',
};
export const ENDPOINT_OPTION: OptionSpec = {
  flag: 'endpoint-url',
  type: 'string',
  env: 'ENDPOINT_URL',
  description: 'TARGET=endpoint: URL of the AWS-compatible endpoint',
};
export const STATE_DIR_OPTION: OptionSpec = {
  flag: 'state-dir',
  type: 'string',
  env: 'STATE_DIR',
  default: displayPath(DEFAULT_STATE_DIR),
  description: "embedded target: where the cloud's state persists",
};
export const OUTPUTS_DIR_OPTION: OptionSpec = {
  flag: 'outputs-dir',
  type: 'string',
  env: 'OUTPUTS_DIR',
  default: displayPath(DEFAULT_OUTPUTS_DIR),
  description: 'where stack outputs are saved as <target>-<stack>.json',
};
export const CODE_BUCKET_OPTION: OptionSpec = {
  flag: 'code-bucket',
  type: 'string',
  env: 'CODE_BUCKET',
  defaultText: 'iot-backend-code locally, iot-backend-code-<account>-<region> on aws',
  description: 'bucket for the function zips and the nested template',
};
export const CODE_KEY_PREFIX_OPTION: OptionSpec = {
  flag: 'code-key-prefix',
  type: 'string',
  env: 'CODE_KEY_PREFIX',
  default: 'iot-backend',
  description: 'key prefix of the code in the code bucket (the CodeKeyPrefix parameter)',
};

export const TARGET_OPTIONS = [TARGET_OPTION, STACK_OPTION, REGION_OPTION, PORT_OPTION, ENDPOINT_OPTION, STATE_DIR_OPTION, OUTPUTS_DIR_OPTION];
export const CODE_OPTIONS = [CODE_BUCKET_OPTION, CODE_KEY_PREFIX_OPTION];

export interface CommonSettings {
  targetName: TargetName;
  stackName: string;
  region: string;
  outputsDir: string;
  target: TargetSettings;
}

export function commonSettings(values: OptionValues, overrides: Partial<TargetSettings> = {}): CommonSettings {
  const targetName = String(values.target);
  if (!isTargetName(targetName)) {
    throw new UserError(`unknown target '${targetName}': choose one of ${TARGET_NAMES.join(', ')} (TARGET=... or --target ...)`, 2);
  }
  const region = (values.region as string | undefined) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  return {
    targetName,
    stackName: String(values.stack),
    region,
    outputsDir: path.resolve(String(values.outputsDir)),
    target: {
      region,
      port: port(values.port, 'PORT / --port'),
      host: '127.0.0.1',
      endpointUrl: values.endpointUrl as string | undefined,
      stateDir: values.stateDir ? path.resolve(String(values.stateDir)) : undefined,
      localstackImage: process.env.LOCALSTACK_IMAGE || DEFAULT_LOCALSTACK_IMAGE,
      localstackRunner: 'compose',
      cloudLog: cloudLogWriter(),
      ...overrides,
    },
  };
}

export function connect(settings: CommonSettings): Promise<Connection> {
  return targetByName(settings.targetName).connect(settings.target);
}

/** The embedded cloud's diagnostics go to .localcloud/localcloud.log (and stderr under DEBUG=1), not over the CLI's output. */
function cloudLogWriter(): (message: string) => void {
  let ready = false;
  return (message) => {
    if (debugEnabled()) process.stderr.write(`localcloud: ${message}\n`);
    try {
      if (!ready) {
        mkdirSync(path.dirname(LOCALCLOUD_LOG), { recursive: true });
        ready = true;
      }
      appendFileSync(LOCALCLOUD_LOG, `${new Date().toISOString()} ${message}\n`);
    } catch {
      // Diagnostics must never take the cloud down.
    }
  };
}

/** Secrets stay out of terminal scroll-back and CI logs; the outputs file has them. */
export function printableOutputs(outputs: Record<string, string>): string[] {
  const width = Math.max(0, ...Object.keys(outputs).map((k) => k.length)) + 2;
  return Object.entries(outputs)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `  ${k.padEnd(width)}${/secret/i.test(k) ? `${v.slice(0, 4)}…(hidden)` : v}`);
}
