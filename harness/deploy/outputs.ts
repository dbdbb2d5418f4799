/**
 * The stack's outputs, saved per target and stack so `simulate`, `outputs`, the
 * test page and scripts can read them without asking CloudFormation again.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../support/errors.js';
import { DEFAULT_OUTPUTS_DIR, displayPath } from '../support/paths.js';
import type { TargetName } from '../targets/types.js';

export interface SavedOutputs {
  target: TargetName;
  stackName: string;
  stackId: string;
  region: string;
  /** The endpoint the stack lives behind; absent on real AWS. */
  endpoint?: string;
  codeBucket: string;
  outputs: Record<string, string>;
  updatedAt: string;
}

export function outputsFile(target: TargetName, stackName: string, dir = DEFAULT_OUTPUTS_DIR): string {
  return path.join(dir, `${target}-${stackName}.json`);
}

export function saveOutputs(saved: SavedOutputs, dir = DEFAULT_OUTPUTS_DIR): string {
  const file = outputsFile(saved.target, saved.stackName, dir);
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(saved, null, 2)}\n`);
  renameSync(temp, file);
  return file;
}

export function loadOutputs(target: TargetName, stackName: string, dir = DEFAULT_OUTPUTS_DIR): SavedOutputs {
  const file = outputsFile(target, stackName, dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(
      `no saved outputs for stack ${stackName} on the ${target} target (${displayPath(file)}): deploy it first (make up, or make deploy TARGET=${target})`,
    );
  }
  try {
    return JSON.parse(text) as SavedOutputs;
  } catch {
    throw new UserError(`${displayPath(file)} is not valid JSON; deploy again to rewrite it`);
  }
}

export function removeOutputs(target: TargetName, stackName: string, dir = DEFAULT_OUTPUTS_DIR): void {
  rmSync(outputsFile(target, stackName, dir), { force: true });
}

/** The outputs the test page, the simulator and the e2e tests rely on. */
export const EXPECTED_OUTPUTS = ['AccessKeyId', 'SecretAccessKey', 'LambdaAPIFunction', 'KinesisStream', 'Region', 'ArchiveBucket', 'SensorDataTable'] as const;
