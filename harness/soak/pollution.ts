/**
 * Is the cloud's Object.prototype polluted? Seen the way it hurts users: a
 * property planted on Object.prototype shows up in every object the cloud
 * builds afterwards — the environment of a function process among them. So
 * a fresh function (a new execution environment) reports every variable of
 * its environment that the fuzz planted: their names all contain
 * `SoakPolluted`. Each check creates, invokes and deletes its own function.
 */
import { CreateFunctionCommand, DeleteFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import yazl from 'yazl';
import { ADMIN_CREDENTIALS, BENCH_REGION } from '../bench/clients.js';
import { ensureSoakRole } from './role.js';

const CODE = `exports.handler = async () => ({
  planted: Object.keys(process.env).filter((k) => k.includes('SoakPolluted')),
  nodeOptions: process.env.NODE_OPTIONS ?? null,
});
`;

export interface PollutionCheck {
  /** Variables planted by the fuzz that reached a new function's environment. */
  planted: string[];
  /** The check itself could not run (the cloud refused the function): why. */
  error?: string;
}

let zipFile: Promise<Buffer> | undefined;
let counter = 0;

export async function checkPrototypePollution(url: string): Promise<PollutionCheck> {
  const lambda = new LambdaClient({ endpoint: url, region: BENCH_REGION, credentials: ADMIN_CREDENTIALS, maxAttempts: 1 });
  const name = `soak-pollution-probe-${process.pid}-${++counter}`;
  try {
    const role = await ensureSoakRole(url);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: await (zipFile ??= zip(CODE)) },
      }),
      { abortSignal: AbortSignal.timeout(10_000) },
    );
    const output = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }), { abortSignal: AbortSignal.timeout(15_000) });
    const text = Buffer.from(output.Payload ?? []).toString('utf8');
    if (output.FunctionError) return { planted: [], error: `the probe function failed: ${text.slice(0, 200)}` };
    const result = JSON.parse(text) as { planted: string[] };
    return { planted: result.planted };
  } catch (error) {
    return { planted: [], error: `${error instanceof Error ? `${error.name}: ${error.message}` : error}`.slice(0, 300) };
  } finally {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }), { abortSignal: AbortSignal.timeout(5000) }).catch(() => undefined);
    lambda.destroy();
  }
}

function zip(code: string): Promise<Buffer> {
  const file = new yazl.ZipFile();
  file.addBuffer(Buffer.from(code), 'index.js', { mtime: new Date(Date.UTC(2024, 0, 1)) });
  file.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    file.outputStream.on('data', (c: Buffer) => chunks.push(c));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    file.outputStream.on('error', reject);
  });
}
