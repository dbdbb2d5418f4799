/** What the phases share: the options, the progress lines, and the deployed stack they measure. */
import type { CloudProcess } from './cloud-process.js';
import type { BenchOptions } from './options.js';
import type { Progress } from './progress.js';

export interface PhaseContext {
  options: BenchOptions;
  progress: Progress;
}

/** The stack's outputs the bench uses (the template's Outputs). */
export interface StackOutputs {
  AccessKeyId: string;
  SecretAccessKey: string;
  KinesisStream: string;
  LambdaAPIFunction: string;
  ArchiveBucket: string;
  SensorDataTable: string;
}

export const REQUIRED_OUTPUTS: readonly (keyof StackOutputs)[] = [
  'AccessKeyId',
  'SecretAccessKey',
  'KinesisStream',
  'LambdaAPIFunction',
  'ArchiveBucket',
  'SensorDataTable',
];

/** A cloud process with the project's stack deployed on it. */
export interface DeployedStack {
  cloud: CloudProcess;
  outputs: StackOutputs;
}

export function testClientCredentials(outputs: StackOutputs): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: outputs.AccessKeyId, secretAccessKey: outputs.SecretAccessKey };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
