/**
 * Hostile query-protocol parameters for the services that decode them
 * (CloudWatch, STS, IAM, CloudFormation): prototype keys, member indexes far
 * past any list AWS accepts, deep nesting, thousands of parameters. AWS
 * ignores parameters an operation does not know, so success is allowed; a
 * 5xx, a hang or a polluted process never is.
 */
import { queryCall, type FuzzCase, type FuzzClass } from './case.js';

interface QueryTarget {
  service: string;
  version: string;
  /** An operation and a list parameter it really takes (`X.member.N`). */
  operations: { action: string; list: string; member?: string }[];
}

const TARGETS: QueryTarget[] = [
  { service: 'monitoring', version: '2010-08-01', operations: [
    { action: 'ListMetrics', list: 'Dimensions', member: 'Name' },
    { action: 'PutMetricData', list: 'MetricData', member: 'MetricName' },
    { action: 'GetMetricStatistics', list: 'Statistics' },
  ] },
  { service: 'sts', version: '2011-06-15', operations: [
    { action: 'GetCallerIdentity', list: 'PolicyArns', member: 'arn' },
    { action: 'AssumeRole', list: 'Tags', member: 'Key' },
  ] },
  { service: 'iam', version: '2010-05-08', operations: [
    { action: 'ListRoles', list: 'Tags', member: 'Key' },
    { action: 'CreateUser', list: 'Tags', member: 'Key' },
  ] },
  { service: 'cloudformation', version: '2010-05-15', operations: [
    { action: 'ListStacks', list: 'StackStatusFilter' },
    { action: 'CreateStack', list: 'Parameters', member: 'ParameterKey' },
  ] },
];

function each(build: (t: QueryTarget, op: QueryTarget['operations'][number], base: string) => { label: string; form: string; essential?: boolean }[]): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const target of TARGETS) {
    for (const op of target.operations) {
      const base = `Action=${op.action}&Version=${target.version}`;
      for (const { label, form, essential } of build(target, op, base)) {
        cases.push({ label: `${target.service} ${op.action}: ${label} — ${preview(form)}`, request: queryCall(target.service, form), expect: 'any', essential });
      }
    }
  }
  return cases;
}

/** Every way to reach Object.prototype through a dotted parameter name. Each marker is unique, so the pollution check can tell which one got through. */
export function queryPrototypeKeys(): FuzzClass {
  let marker = 0;
  const next = () => `SoakPolluted${++marker}`;
  return {
    name: 'query: prototype keys',
    cases: each((_t, op) => {
      const m = op.member ? `.${op.member}` : '';
      return [
        { label: '__proto__.X', form: `Action=${op.action}&__proto__.${next()}=1`, essential: true },
        { label: 'constructor.prototype.X', form: `Action=${op.action}&constructor.prototype.${next()}=1`, essential: true },
        { label: 'member __proto__', form: `Action=${op.action}&${op.list}.member.__proto__${m || '.X'}=${next()}` },
        { label: 'member 1 __proto__', form: `Action=${op.action}&${op.list}.member.1.__proto__.${next()}=1` },
        { label: '__proto__ alone', form: `Action=${op.action}&__proto__=1` },
        { label: 'prototype.X', form: `Action=${op.action}&prototype.${next()}=1` },
        { label: 'member constructor', form: `Action=${op.action}&${op.list}.member.constructor.prototype.${next()}=1` },
        { label: 'hasOwnProperty', form: `Action=${op.action}&hasOwnProperty=1&toString=1&valueOf.x=1` },
      ];
    }).map((c) => ({ ...c, request: withVersion(c) })),
  };
}

/** Member indexes no list reaches: the 70-byte request that froze the cloud for 95 s, and its relatives. */
export function queryHugeIndexes(): FuzzClass {
  return {
    name: 'query: huge member indexes',
    cases: each((_t, op, base) => {
      const m = op.member ? `.${op.member}` : '';
      return [
        { label: 'member 4294967295', form: `${base}&${op.list}.member.4294967295${m}=x`, essential: true },
        { label: 'member 99999999', form: `${base}&${op.list}.member.99999999${m}=x` },
        { label: 'member 1e9', form: `${base}&${op.list}.member.1e9${m}=x` },
        { label: 'member -1', form: `${base}&${op.list}.member.-1${m}=x` },
        { label: 'member 0', form: `${base}&${op.list}.member.0${m}=x` },
        { label: 'member NaN', form: `${base}&${op.list}.member.NaN${m}=x` },
        { label: 'member 2^53+1', form: `${base}&${op.list}.member.9007199254740993${m}=x` },
        { label: 'member 01', form: `${base}&${op.list}.member.01${m}=x` },
      ];
    }),
  };
}

/** Parameter names hundreds of levels deep, and thousands of parameters in one request. */
export function queryVolume(): FuzzClass {
  return {
    name: 'query: deep nesting and thousands of params',
    cases: each((_t, op, base) => {
      const m = op.member ? `.${op.member}` : '';
      return [
        { label: '500-level name', form: `${base}&${Array.from({ length: 500 }, () => `${op.list}.member.1`).join('.')}=x`, essential: true },
        { label: '10,000 parameters', form: `${base}&${Array.from({ length: 10_000 }, (_, i) => `P${i}=x`).join('&')}` },
        { label: '10,000 list members', form: `${base}&${Array.from({ length: 10_000 }, (_, i) => `${op.list}.member.${i + 1}${m}=x`).join('&')}`, essential: true },
        { label: 'one 1 MB value', form: `${base}&${op.list}.member.1${m}=${'x'.repeat(1_000_000)}` },
        { label: 'the same name 1,000 times', form: `${base}${`&${op.list}.member.1${m}=x`.repeat(1000)}` },
        { label: 'bad percent-encoding', form: `${base}&${op.list}.member.1${m}=%E0%A4%A&%ZZ=1` },
      ];
    }),
  };
}

/** The prototype cases carry a Version too (added here so their labels stay short). */
function withVersion(c: FuzzCase): FuzzCase['request'] {
  if (c.request.kind !== 'http' || typeof c.request.body !== 'string') return c.request;
  const target = TARGETS.find((t) => c.label.startsWith(`${t.service} `))!;
  return { ...c.request, body: `${c.request.body}&Version=${target.version}` };
}

function preview(form: string): string {
  return form.length > 160 ? `${form.slice(0, 160)}… (${form.length.toLocaleString('en-US')} bytes)` : form;
}
