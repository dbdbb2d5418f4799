/**
 * Garbage fuzz: class after class of hostile requests, one at a time so each
 * answer (or freeze) belongs to exactly one request. Every answer is judged
 * (AWS-shaped or not); after each class the cloud must still answer health
 * (a dead or frozen cloud is killed, restarted and counted), a new function
 * environment must carry nothing the fuzz planted on Object.prototype, and
 * the hostile zips must not have written into the soak's escape folder.
 * A health probe every 50 ms measures the longest event-loop stall.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Progress } from '../../bench/progress.js';
import { judge } from '../aws-shape.js';
import type { SoakCloud } from '../cloud.js';
import { sample, signAs, type FuzzCase, type FuzzClass, type FuzzRequest } from '../fuzz/case.js';
import { authGarbage } from '../fuzz/auth.js';
import { httpGarbage } from '../fuzz/http-garbage.js';
import { jsonShapes, jsonWrongTypes } from '../fuzz/json.js';
import { hostileZips, lambdaRest } from '../fuzz/lambda.js';
import { queryHugeIndexes, queryPrototypeKeys, queryVolume } from '../fuzz/query.js';
import { madeUpAccounts, madeUpRegions } from '../fuzz/regions.js';
import { s3Xml, SOAK_BUCKET } from '../fuzz/s3-xml.js';
import type { SoakOptions } from '../options.js';
import { checkPrototypePollution } from '../pollution.js';
import { treeFds } from '../resources.js';
import { signCall } from '../sign.js';
import { StallProbe, type Stall } from '../stall-probe.js';
import { sendHttp, sendRaw, type Answer } from '../wire.js';

/** Examples of non-AWS-shaped answers kept per class (all are counted). */
const EXAMPLES_PER_CLASS = 5;

export interface NonAwsExample {
  class: string;
  case: string;
  expected: string;
  outcome: string;
  /** What was sent, enough to replay it. */
  request: string;
}

export interface ClassResult {
  name: string;
  requests: number;
  nonAwsShaped: number;
  /** How many answers of each kind (`400 ValidationException`, `connection closed`, …). */
  outcomes: Record<string, number>;
  /** Health after the class: false when the cloud had to be restarted during or after it. */
  alive: boolean;
  /** Cases not sent because the class had already frozen or killed the cloud `maxRestartsPerClass` times. */
  skipped: number;
  /** Open descriptors of the cloud's process tree right after the class. */
  fdsAfter: number;
  /** Planted variables a new function environment carried after this class. */
  planted: string[];
  /** The cloud was restarted after this class to clear them (not counted as a freeze or crash). */
  restartedToClearPollution: boolean;
  ms: number;
}

export interface FuzzResult {
  requests: number;
  nonAwsShaped: number;
  classes: ClassResult[];
  examples: NonAwsExample[];
  /** Prototype pollution: planted variables seen (all classes), and checks that could not run. */
  polluted: string[];
  pollutionCheckErrors: string[];
  /** Files the hostile zips wrote outside their code folder. */
  zipEscapes: string[];
  maxStall: Stall;
  /** The most descriptors the cloud held after any class. */
  maxFds: number;
}

export async function runFuzz(cloud: SoakCloud, options: SoakOptions, progress: Progress): Promise<FuzzResult> {
  const line = progress.phase('garbage fuzz');
  const escapeDir = mkdtempSync(path.join(os.tmpdir(), 'soak-escape-'));
  const classes: FuzzClass[] = [
    httpGarbage(),
    authGarbage(),
    queryPrototypeKeys(),
    ...(await jsonWrongTypes()),
    jsonShapes(),
    { ...s3Xml(), prepare: async (url: string) => void (await sendHttp(url, await signCall(url, { method: 'PUT', path: `/${SOAK_BUCKET}`, headers: {} }, signAs('s3')), 5000)) },
    lambdaRest(),
    await hostileZips(escapeDir, String(process.pid)),
    madeUpAccounts(options.accounts),
    madeUpRegions(options.regions),
    queryVolume(),
    // Last: today these freeze the cloud until it is restarted.
    queryHugeIndexes(),
  ].map((c) => ({ ...c, cases: sample(c.cases, options.fuzzSampleStep) }));
  const total = classes.reduce((sum, c) => sum + c.cases.length, 0);

  const probe = new StallProbe(() => cloud.url).start();
  const result: FuzzResult = { requests: 0, nonAwsShaped: 0, classes: [], examples: [], polluted: [], pollutionCheckErrors: [], zipEscapes: [], maxStall: { ms: 0, during: '' }, maxFds: 0 };
  try {
    for (const fuzzClass of classes) {
      const started = performance.now();
      const restartsBefore = cloud.restarts.length;
      const classResult: ClassResult = { name: fuzzClass.name, requests: 0, nonAwsShaped: 0, outcomes: {}, alive: true, skipped: 0, fdsAfter: 0, planted: [], restartedToClearPollution: false, ms: 0 };
      await fuzzClass.prepare?.(cloud.url);
      for (const fuzzCase of fuzzClass.cases) {
        if (cloud.restarts.length - restartsBefore >= options.maxRestartsPerClass) {
          classResult.skipped += 1;
          continue;
        }
        const where = `${fuzzClass.name}: ${fuzzCase.label}`;
        probe.current = where;
        const answer = await send(cloud, fuzzCase.request, options.requestTimeoutMs);
        const verdict = judge(answer, fuzzCase.expect);
        classResult.requests += 1;
        result.requests += 1;
        const outcomeKey = verdict.outcome.length > 60 ? `${verdict.outcome.slice(0, 60)}…` : verdict.outcome;
        classResult.outcomes[outcomeKey] = (classResult.outcomes[outcomeKey] ?? 0) + 1;
        if (!verdict.shaped) {
          classResult.nonAwsShaped += 1;
          result.nonAwsShaped += 1;
          if (result.examples.filter((e) => e.class === fuzzClass.name).length < EXAMPLES_PER_CLASS) {
            result.examples.push({ class: fuzzClass.name, case: fuzzCase.label, expected: fuzzCase.expect, outcome: verdict.outcome, request: describeRequest(fuzzCase.request) });
          }
          if (answer.kind !== 'response') await keepAlive(cloud, probe, where);
        }
        if (result.requests % 50 === 0) line.update(`${result.requests}/${total} — ${fuzzClass.name}, ${result.nonAwsShaped} not AWS-shaped, ${cloud.restarts.length} restarts`);
      }
      probe.current = `health after ${fuzzClass.name}`;
      await keepAlive(cloud, probe, `after ${fuzzClass.name}`);
      classResult.alive = cloud.restarts.length === restartsBefore;
      classResult.fdsAfter = treeFds(cloud.pid);
      result.maxFds = Math.max(result.maxFds, classResult.fdsAfter);
      line.update(`${fuzzClass.name}: checking Object.prototype through a new function`);
      const pollution = await checkPrototypePollution(cloud.url);
      if (pollution.error) result.pollutionCheckErrors.push(`after ${fuzzClass.name}: ${pollution.error}`);
      classResult.planted = pollution.planted.filter((p) => !result.polluted.includes(p));
      result.polluted.push(...classResult.planted);
      if (pollution.planted.length > 0) {
        // A polluted process fails in ways that would be blamed on the next
        // classes (dynalite: "validateFns[validation] is not a function"). The
        // pollution is already counted; a clean process judges the rest.
        line.update(`${fuzzClass.name}: restarting the polluted cloud`);
        await cloud.killAndRestart();
        probe.reset();
        classResult.restartedToClearPollution = true;
      }
      classResult.ms = performance.now() - started;
      result.classes.push(classResult);
    }
    result.zipEscapes = readdirSync(escapeDir);
  } finally {
    result.maxStall = probe.stop();
    rmSync(escapeDir, { recursive: true, force: true });
  }
  const summary = `${result.requests.toLocaleString('en-US')} requests in ${classes.length} classes: ${result.nonAwsShaped} not AWS-shaped, ${cloud.restarts.length} restarts, ` +
    `${result.polluted.length} planted variables, ${result.zipEscapes.length} zip escapes, peak ${result.maxFds} fds, longest stall ${result.maxStall.ms.toFixed(0)} ms`;
  if (result.nonAwsShaped || cloud.restarts.length || result.polluted.length || result.zipEscapes.length) line.fail(summary);
  else line.done(summary);
  return result;
}

async function send(cloud: SoakCloud, request: FuzzRequest, timeoutMs: number): Promise<Answer> {
  if (request.kind === 'raw') return sendRaw(cloud.port, request.bytes, timeoutMs);
  return sendHttp(cloud.url, request.sign ? await signCall(cloud.url, request, request.sign) : request, timeoutMs);
}

/** A cloud that died or froze is restarted (and counted by the cloud) so the fuzz can go on. */
async function keepAlive(cloud: SoakCloud, probe: StallProbe, where: string): Promise<void> {
  if (!(await cloud.ensureAlive(where))) probe.reset();
}

/** A request as a reader can replay it: method, path, target, and the start of the body. */
export function describeRequest(request: FuzzRequest): string {
  if (request.kind === 'raw') return `raw bytes ${JSON.stringify(preview(request.bytes.toString('latin1'), 200))} (${request.bytes.length} bytes)`;
  const body = request.body === undefined ? '' : typeof request.body === 'string' ? request.body : request.body.toString('latin1');
  const target = request.headers['x-amz-target'] ? ` X-Amz-Target: ${request.headers['x-amz-target']}` : '';
  const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(request.headers.authorization ?? '');
  const signed = request.sign
    ? ` (signed by ${request.sign.keys().accessKeyId} for ${request.sign.service} in ${request.sign.region}${request.sign.presignSeconds !== undefined ? ', presigned' : ''}${request.sign.tamper ? ', then altered' : ''})`
    : scope
      ? ` (Authorization as built: ${scope[1]} for ${scope[3]} in ${scope[2]})`
      : ' (unsigned)';
  return `${request.method} ${preview(request.path, 200)}${target}${signed}${body ? ` body ${JSON.stringify(preview(body, 300))} (${body.length.toLocaleString('en-US')} bytes)` : ''}`;
}

function preview(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export type { FuzzCase };
