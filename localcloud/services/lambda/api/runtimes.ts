import { invalidParameter } from './errors.js';
import { Validator } from './validation.js';

/** Node.js runtimes localcloud runs (all on the host's Node.js; see the README). */
export const SUPPORTED_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x', 'nodejs26.x'] as const;

/** Runtimes AWS no longer accepts for new functions or updates. */
const DEPRECATED_RUNTIMES = new Set([
  'nodejs',
  'nodejs4.3',
  'nodejs4.3-edge',
  'nodejs6.10',
  'nodejs8.10',
  'nodejs10.x',
  'nodejs12.x',
  'nodejs14.x',
  'nodejs16.x',
  'python2.7',
  'python3.6',
  'python3.7',
  'python3.8',
  'dotnetcore1.0',
  'dotnetcore2.0',
  'dotnetcore2.1',
  'dotnetcore3.1',
  'dotnet6',
  'ruby2.5',
  'ruby2.7',
  'go1.x',
  'java8',
]);

/** Every runtime identifier Lambda knows (the SDK's Runtime enum). */
export const KNOWN_RUNTIMES = [
  ...DEPRECATED_RUNTIMES,
  ...SUPPORTED_RUNTIMES,
  'dotnet8',
  'dotnet10',
  'java11',
  'java11.al2023',
  'java17',
  'java17.al2023',
  'java21',
  'java25',
  'java8.al2',
  'java8.al2023',
  'provided',
  'provided.al2',
  'provided.al2023',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'python3.15',
  'ruby3.2',
  'ruby3.3',
  'ruby3.4',
  'ruby4.0',
];

/** Rejects runtimes as AWS does (unknown, deprecated), and those localcloud cannot run (not Node.js). */
export function assertRunnableRuntime(runtime: string): void {
  const v = new Validator();
  v.oneOf(runtime, 'runtime', KNOWN_RUNTIMES);
  v.throwIfInvalid();
  if (DEPRECATED_RUNTIMES.has(runtime)) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. ` +
        `We recommend you use the new runtime (nodejs22.x) while creating or updating functions.`,
    );
  }
  if (!(SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) {
    throw invalidParameter(`localcloud runs Node.js functions only (${SUPPORTED_RUNTIMES.join(', ')}); ${runtime} is not supported`);
  }
}
