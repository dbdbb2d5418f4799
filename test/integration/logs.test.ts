import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { expect } from 'chai';
import type { LogsProvider } from '../../localcloud/services/logs/index.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';

/** Every CloudWatch Logs error these tests meet is a 400. */
const expectError = (promise: Promise<unknown>, name: string, message?: RegExp) => expectAwsError(promise, name, 400, message);

describe('CloudWatch Logs', function () {
  let cloud: TestCloud;
  let logs: CloudWatchLogsClient;
  const now = Date.now();

  before(async () => {
    cloud = await startTestCloud();
    logs = new CloudWatchLogsClient(cloud.clientConfig());
  });
  after(async () => {
    logs?.destroy();
    await cloud?.stop();
  });

  async function groupWithStream(group: string, stream: string): Promise<void> {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  }

  async function put(group: string, stream: string, messages: string[], start = now - 60_000, step = 1000): Promise<void> {
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: messages.map((message, i) => ({ timestamp: start + i * step, message })),
      }),
    );
  }

  describe('log groups', () => {
    it('creates, describes (prefix, pattern, paging), tags, sets retention and deletes', async () => {
      for (const name of ['/aws/lambda/alpha', '/aws/lambda/beta', '/app/gamma', '/app/lambda-delta']) {
        await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: { team: 'iot' } }));
      }
      await expectError(logs.send(new CreateLogGroupCommand({ logGroupName: '/app/gamma' })), 'ResourceAlreadyExistsException');
      await expectError(logs.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' })), 'InvalidParameterException');

      const byPrefix = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
      expect(byPrefix.logGroups!.map((g) => g.logGroupName)).to.deep.equal(['/aws/lambda/alpha', '/aws/lambda/beta']);
      const group = byPrefix.logGroups![0];
      expect(group.arn).to.equal('arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/alpha:*');
      expect(group.logGroupArn).to.equal('arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/alpha');
      expect(group.creationTime).to.be.closeTo(Date.now(), 60_000);
      expect(group.storedBytes).to.equal(0);

      const byPattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'lambda' }));
      expect(byPattern.logGroups!.map((g) => g.logGroupName)).to.deep.equal(['/app/lambda-delta', '/aws/lambda/alpha', '/aws/lambda/beta']);
      await expectError(logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/a', logGroupNamePattern: 'a' })), 'InvalidParameterException');

      const page1 = await logs.send(new DescribeLogGroupsCommand({ limit: 3 }));
      expect(page1.logGroups).to.have.length(3);
      const page2 = await logs.send(new DescribeLogGroupsCommand({ limit: 3, nextToken: page1.nextToken }));
      expect(page2.logGroups!.map((g) => g.logGroupName)).to.deep.equal(['/aws/lambda/beta']);
      expect(page2.nextToken).to.equal(undefined);

      await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app/gamma', retentionInDays: 7 }));
      await expectError(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app/gamma', retentionInDays: 8 })), 'InvalidParameterException');
      let gamma = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/gamma' }))).logGroups![0];
      expect(gamma.retentionInDays).to.equal(7);
      await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/app/gamma' }));
      gamma = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/gamma' }))).logGroups![0];
      expect(gamma.retentionInDays).to.equal(undefined);

      const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:/app/gamma';
      await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'test' } }));
      await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
      expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).to.deep.equal({ env: 'test' });
      expect((await logs.send(new ListTagsLogGroupCommand({ logGroupName: '/aws/lambda/beta' }))).tags).to.deep.equal({ team: 'iot' });
      await expectError(logs.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-missing` })), 'ResourceNotFoundException');

      await logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/gamma' }));
      await expectError(logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/gamma' })), 'ResourceNotFoundException', /log group does not exist/);
    });
  });

  describe('log streams', () => {
    it('creates, orders (name, LastEventTime, descending), filters by prefix and deletes', async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'streams' }));
      for (const name of ['b-stream', 'a-stream', 'c-stream']) {
        await logs.send(new CreateLogStreamCommand({ logGroupName: 'streams', logStreamName: name }));
      }
      await expectError(logs.send(new CreateLogStreamCommand({ logGroupName: 'streams', logStreamName: 'a-stream' })), 'ResourceAlreadyExistsException');
      await expectError(logs.send(new CreateLogStreamCommand({ logGroupName: 'missing', logStreamName: 'x' })), 'ResourceNotFoundException');
      await expectError(logs.send(new CreateLogStreamCommand({ logGroupName: 'streams', logStreamName: 'a:b' })), 'InvalidParameterException');
      await put('streams', 'c-stream', ['old'], now - 50_000);
      await put('streams', 'a-stream', ['new'], now - 10_000);

      const names = async (input: object) =>
        (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'streams', ...input }))).logStreams!.map((s) => s.logStreamName);
      expect(await names({})).to.deep.equal(['a-stream', 'b-stream', 'c-stream']);
      expect(await names({ descending: true })).to.deep.equal(['c-stream', 'b-stream', 'a-stream']);
      expect(await names({ orderBy: 'LastEventTime', descending: true })).to.deep.equal(['a-stream', 'c-stream', 'b-stream']);
      expect(await names({ logStreamNamePrefix: 'b' })).to.deep.equal(['b-stream']);
      await expectError(names({ orderBy: 'LastEventTime', logStreamNamePrefix: 'a' }), 'InvalidParameterException');
      const limited = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'streams', limit: 2 }));
      expect(limited.logStreams).to.have.length(2);
      const rest = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'streams', limit: 2, nextToken: limited.nextToken }));
      expect(rest.logStreams!.map((s) => s.logStreamName)).to.deep.equal(['c-stream']);

      const a = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'streams', logStreamNamePrefix: 'a' }))).logStreams![0];
      expect(a).to.include({ firstEventTimestamp: now - 10_000, lastEventTimestamp: now - 10_000 });
      expect(a.arn).to.equal('arn:aws:logs:us-east-1:000000000000:log-group:streams:log-stream:a-stream');
      expect(a.lastIngestionTime).to.be.closeTo(Date.now(), 60_000);

      await logs.send(new DeleteLogStreamCommand({ logGroupName: 'streams', logStreamName: 'b-stream' }));
      await expectError(logs.send(new DeleteLogStreamCommand({ logGroupName: 'streams', logStreamName: 'b-stream' })), 'ResourceNotFoundException', /log stream does not exist/);
      expect(await names({})).to.deep.equal(['a-stream', 'c-stream']);
    });
  });

  describe('PutLogEvents + GetLogEvents', () => {
    before(() => groupWithStream('events', 's1'));

    it('stores events and pages forward and backward with tokens', async () => {
      const messages = Array.from({ length: 10 }, (_, i) => `line ${i}`);
      const out = await logs.send(
        new PutLogEventsCommand({
          logGroupName: 'events',
          logStreamName: 's1',
          sequenceToken: 'ignored-as-on-aws-since-2023',
          logEvents: messages.map((message, i) => ({ timestamp: now - 100_000 + i * 1000, message })),
        }),
      );
      expect(out.nextSequenceToken).to.be.a('string');
      expect(out.rejectedLogEventsInfo).to.equal(undefined);

      // Default: the newest events.
      const tail = await logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 's1', limit: 3 }));
      expect(tail.events!.map((e) => e.message)).to.deep.equal(['line 7', 'line 8', 'line 9']);
      expect(tail.events![0].ingestionTime).to.be.closeTo(Date.now(), 60_000);
      const before = await logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 's1', limit: 3, nextToken: tail.nextBackwardToken }));
      expect(before.events!.map((e) => e.message)).to.deep.equal(['line 4', 'line 5', 'line 6']);

      // From the head, forward, until the token stops moving.
      const seen: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 's1', limit: 4, startFromHead: true, nextToken: token }));
        seen.push(...page.events!.map((e) => e.message!));
        if (page.nextForwardToken === token) break;
        token = page.nextForwardToken;
      }
      expect(seen).to.deep.equal(messages);

      // A forward token picks up events appended later.
      await put('events', 's1', ['late 1', 'late 2'], now - 5000);
      const more = await logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 's1', nextToken: token }));
      expect(more.events!.map((e) => e.message)).to.deep.equal(['late 1', 'late 2']);

      const window = await logs.send(
        new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 's1', startFromHead: true, startTime: now - 98_000, endTime: now - 95_000 }),
      );
      expect(window.events!.map((e) => e.message)).to.deep.equal(['line 2', 'line 3', 'line 4']);
      await expectError(logs.send(new GetLogEventsCommand({ logGroupName: 'events', logStreamName: 's1', nextToken: 'garbage' })), 'InvalidParameterException');
    });

    it('enforces the PutLogEvents rules and reports events it will not keep', async () => {
      const send = (logEvents: { timestamp: number; message: string }[], stream = 's1', group = 'events') =>
        logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }));
      await expectError(send([{ timestamp: now, message: 'b' }, { timestamp: now - 1, message: 'a' }]), 'InvalidParameterException', /chronological order/);
      await expectError(send([{ timestamp: now - 25 * 3600_000, message: 'a' }, { timestamp: now, message: 'b' }]), 'InvalidParameterException', /24 hours/);
      await expectError(send([]), 'InvalidParameterException');
      await expectError(send([{ timestamp: now, message: 'x' }], 'nope'), 'ResourceNotFoundException', /log stream/);
      await expectError(send([{ timestamp: now, message: 'x' }], 's1', 'nope'), 'ResourceNotFoundException', /log group/);

      await groupWithStream('rejects', 'r');
      const out = await send(
        [
          { timestamp: now - 15 * 86400_000, message: 'too old' },
          { timestamp: now - 14.5 * 86400_000, message: 'too old too' },
          { timestamp: now - 14 * 86400_000 + 3600_000, message: 'kept' },
        ],
        'r',
        'rejects',
      ).catch((e) => e);
      // The batch spans more than 24 hours: rejected as a whole, as AWS does.
      expect(out.name).to.equal('InvalidParameterException');
      const ok = await send(
        [
          { timestamp: now - 14 * 86400_000 - 3600_000, message: 'too old' },
          { timestamp: now - 14 * 86400_000 + 3600_000, message: 'kept' },
        ],
        'r',
        'rejects',
      );
      expect(ok.rejectedLogEventsInfo).to.deep.equal({ tooOldLogEventEndIndex: 0 });
      const future = await send([{ timestamp: now, message: 'kept too' }, { timestamp: now + 3 * 3600_000, message: 'too new' }], 'r', 'rejects');
      expect(future.rejectedLogEventsInfo).to.deep.equal({ tooNewLogEventStartIndex: 1 });
      const kept = await logs.send(new GetLogEventsCommand({ logGroupName: 'rejects', logStreamName: 'r', startFromHead: true }));
      expect(kept.events!.map((e) => e.message)).to.deep.equal(['kept', 'kept too']);
    });
  });

  describe('FilterLogEvents', () => {
    before(async () => {
      await groupWithStream('filter', 'app-1');
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'filter', logStreamName: 'app-2' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'filter', logStreamName: 'other' }));
      await put('filter', 'app-1', [
        'INFO started',
        'ERROR disk full',
        '{"level":"error","code":500,"user":{"id":"u-1"},"tags":["a","b"]}',
        '{"level":"info","code":200,"user":{"id":"u-2"},"flag":true,"gone":null}',
      ], now - 40_000, 10_000);
      await put('filter', 'app-2', ['WARN low memory', 'ERROR Failed to connect', 'INFO Exiting'], now - 35_000, 10_000);
      await put('filter', 'other', ['ERROR elsewhere'], now - 1000);
    });

    const messages = async (input: object) =>
      (await logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', ...input }))).events!.map((e) => e.message);

    it('matches terms, quoted phrases, exclusions and alternatives, interleaving streams by time', async () => {
      expect(await messages({ filterPattern: 'ERROR' })).to.deep.equal(['ERROR disk full', 'ERROR Failed to connect', 'ERROR elsewhere']);
      expect(await messages({ filterPattern: 'ERROR -disk' })).to.deep.equal(['ERROR Failed to connect', 'ERROR elsewhere']);
      expect(await messages({ filterPattern: '"Failed to"' })).to.deep.equal(['ERROR Failed to connect']);
      expect(await messages({ filterPattern: '?WARN ?Exiting' })).to.deep.equal(['WARN low memory', 'INFO Exiting']);
      expect(await messages({ filterPattern: 'error' })).to.have.length(1); // case sensitive: only the JSON line
      expect(await messages({ filterPattern: '%disk|memory%' })).to.deep.equal(['WARN low memory', 'ERROR disk full']);
      expect(await messages({})).to.have.length(8);
    });

    it('matches JSON patterns', async () => {
      expect(await messages({ filterPattern: '{ $.level = "error" }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ $.level = error }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ $.code = 200 }' })).to.deep.equal([(await messages({ filterPattern: '{ $.level = "info" }' }))[0]]);
      expect(await messages({ filterPattern: '{ $.code >= 400 }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ $.user.id = "u-*" }' })).to.have.length(2);
      expect(await messages({ filterPattern: '{ $.level != "error" }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ ($.code = 500 || $.code = 200) && $.user.id = "u-2" }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ $.flag EXISTS }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ $.flag NOT EXISTS }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ $.flag IS TRUE }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ $.gone IS NULL }' })).to.have.length(1);
      expect(await messages({ filterPattern: '{ $.tags[1] = "b" }' })).to.have.length(1);
      await expectError(messages({ filterPattern: '{ $.level = }' }), 'InvalidParameterException');
      await expectError(messages({ filterPattern: '[ip, user]' }), 'InvalidParameterException', /not supported/);
    });

    it('narrows by stream names, prefix and time, and paginates with nextToken', async () => {
      expect(await messages({ logStreamNames: ['app-2'] })).to.deep.equal(['WARN low memory', 'ERROR Failed to connect', 'INFO Exiting']);
      expect(await messages({ logStreamNamePrefix: 'app', filterPattern: 'ERROR' })).to.deep.equal(['ERROR disk full', 'ERROR Failed to connect']);
      await expectError(messages({ logStreamNames: ['app-1'], logStreamNamePrefix: 'app' }), 'InvalidParameterException');
      expect(await messages({ startTime: now - 30_000, endTime: now - 20_000 })).to.deep.equal([
        'ERROR disk full',
        'ERROR Failed to connect',
        '{"level":"error","code":500,"user":{"id":"u-1"},"tags":["a","b"]}',
      ]);

      const all: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName: 'filter', limit: 3, nextToken }));
        expect(page.events!.length).to.be.at.most(3);
        for (const e of page.events!) {
          expect(e.eventId).to.match(/^\d+$/);
          expect(e.logStreamName).to.be.a('string');
          all.push(e.message!);
        }
        nextToken = page.nextToken;
      } while (nextToken);
      expect(all).to.deep.equal(await messages({}));
    });
  });

  describe('in-process appendEvents (for Lambda)', () => {
    it('creates the group and stream and appends out-of-order events by timestamp', async () => {
      const provider = cloud.cloud.context.service<LogsProvider>('logs')!;
      provider.appendEvents('000000000000', 'us-east-1', '/aws/lambda/fn', '2026/01/01/[$LATEST]abc', [
        { timestamp: now - 2000, message: 'START' },
        { timestamp: now - 3000, message: 'early' },
      ]);
      provider.appendEvents('000000000000', 'us-east-1', '/aws/lambda/fn', '2026/01/01/[$LATEST]abc', [{ timestamp: now - 1000, message: 'END' }]);
      const out = await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/lambda/fn', logStreamName: '2026/01/01/[$LATEST]abc', startFromHead: true }));
      expect(out.events!.map((e) => e.message)).to.deep.equal(['early', 'START', 'END']);
    });
  });
});

describe('CloudWatch Logs persistence', function () {
  it('keeps groups, streams, settings and events across a restart, skipping a torn last line', async () => {
    const state = tempDir();
    const now = Date.now();
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      let logs = new CloudWatchLogsClient(cloud.clientConfig());
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/persist/group', tags: { a: 'b' } }));
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/persist/group', retentionInDays: 30 }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/persist/group', logStreamName: 'one' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/persist/group', logStreamName: 'gone' }));
      await logs.send(
        new PutLogEventsCommand({ logGroupName: '/persist/group', logStreamName: 'one', logEvents: [{ timestamp: now - 2000, message: 'first' }, { timestamp: now - 1000, message: 'second' }] }),
      );
      await logs.send(new DeleteLogStreamCommand({ logGroupName: '/persist/group', logStreamName: 'gone' }));
      cloud.cloud.context.service<LogsProvider>('logs')!.appendEvents('000000000000', 'us-east-1', '/aws/lambda/p', 's', [{ timestamp: now, message: 'from lambda' }]);
      logs.destroy();
      await cloud.stop();

      const streamsDir = path.join(state.dir, 'logs', '000000000000', 'us-east-1', 'streams');
      expect(readdirSync(streamsDir)).to.have.length(2);
      for (const file of readdirSync(streamsDir)) appendFileSync(path.join(streamsDir, file), '{"t":12,"m":"tor');

      cloud = await startTestCloud({ stateDir: state.dir });
      logs = new CloudWatchLogsClient(cloud.clientConfig());
      const group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/persist/' }))).logGroups![0];
      expect(group).to.include({ logGroupName: '/persist/group', retentionInDays: 30 });
      expect((await logs.send(new ListTagsLogGroupCommand({ logGroupName: '/persist/group' }))).tags).to.deep.equal({ a: 'b' });
      const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/persist/group' }));
      expect(streams.logStreams!.map((s) => s.logStreamName)).to.deep.equal(['one']);
      await logs.send(new PutLogEventsCommand({ logGroupName: '/persist/group', logStreamName: 'one', logEvents: [{ timestamp: now, message: 'third' }] }));
      const events = await logs.send(new GetLogEventsCommand({ logGroupName: '/persist/group', logStreamName: 'one', startFromHead: true }));
      expect(events.events!.map((e) => e.message)).to.deep.equal(['first', 'second', 'third']);
      const lambda = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/p' }));
      expect(lambda.events!.map((e) => e.message)).to.deep.equal(['from lambda']);
      logs.destroy();
      await cloud.stop();

      cloud = await startTestCloud({ stateDir: state.dir });
      logs = new CloudWatchLogsClient(cloud.clientConfig());
      const again = await logs.send(new GetLogEventsCommand({ logGroupName: '/persist/group', logStreamName: 'one', startFromHead: true }));
      expect(again.events!.map((e) => e.message)).to.deep.equal(['first', 'second', 'third']);
      logs.destroy();
      await cloud.stop();
    } finally {
      state.cleanup();
    }
  });
});

describe('CloudWatch Logs beyond the in-memory budget', function () {
  // Each 1,000-event batch is just under 1 MB, one stream's in-memory tail: four of them leave two sealed segments per stream.
  const BATCHES = 4;
  const PER_BATCH = 1000;
  const body = (n: number) => `event ${String(n).padStart(6, '0')} ${n % 7 === 0 ? 'ERROR' : 'INFO'} ${'x'.repeat(980)}`;

  async function putMany(logs: CloudWatchLogsClient, group: string, stream: string, start: number, step: number, from = 0): Promise<string[]> {
    const sent: string[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const logEvents = Array.from({ length: PER_BATCH }, (_, i) => {
        const n = from + b * PER_BATCH + i;
        sent.push(body(n));
        return { timestamp: start + (n - from) * step, message: body(n) };
      });
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }));
    }
    return sent;
  }

  async function readForward(logs: CloudWatchLogsClient, group: string, stream: string): Promise<string[]> {
    const seen: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token }));
      seen.push(...page.events!.map((e) => e.message!));
      if (page.nextForwardToken === token) return seen;
      token = page.nextForwardToken;
    }
  }

  async function readBackward(logs: CloudWatchLogsClient, group: string, stream: string): Promise<string[]> {
    const seen: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, nextToken: token }));
      seen.unshift(...page.events!.map((e) => e.message!));
      if (page.nextBackwardToken === token) return seen;
      token = page.nextBackwardToken;
    }
  }

  async function filterAll(logs: CloudWatchLogsClient, input: { logGroupName: string; filterPattern?: string }): Promise<{ stream: string; message: string }[]> {
    const seen: { stream: string; message: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ ...input, nextToken }));
      seen.push(...page.events!.map((e) => ({ stream: e.logStreamName!, message: e.message! })));
      nextToken = page.nextToken;
    } while (nextToken);
    return seen;
  }

  it('reads every event back in order through both APIs once most are on disk, and removes its spill folder on stop', async () => {
    const cloud = await startTestCloud();
    const logs = new CloudWatchLogsClient(cloud.clientConfig());
    const store = cloud.cloud.context.service<LogsProvider>('logs')!.store;
    try {
      const start = Date.now() - 3600_000;
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'big' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'big', logStreamName: 'a' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'big', logStreamName: 'b' }));
      // Stream a has even milliseconds, stream b odd ones: FilterLogEvents must interleave them exactly.
      const a = await putMany(logs, 'big', 'a', start, 2);
      const b = await putMany(logs, 'big', 'b', start + 1, 2, BATCHES * PER_BATCH);
      expect(store.memoryBytes).to.be.below(2 * 1024 * 1024);
      expect(readdirSync(store.temporaryDir!, { recursive: true }).filter((f) => String(f).endsWith('.jsonl')).length).to.be.at.least(4);

      // A late event lands inside a sealed segment and is read in its place.
      const late = 'late arrival';
      await logs.send(new PutLogEventsCommand({ logGroupName: 'big', logStreamName: 'a', logEvents: [{ timestamp: start + 2 * 10 + 1, message: late }] }));
      const aWithLate = [...a.slice(0, 11), late, ...a.slice(11)];

      expect(await readForward(logs, 'big', 'a')).to.deep.equal(aWithLate);
      expect(await readBackward(logs, 'big', 'a')).to.deep.equal(aWithLate);
      expect(await readForward(logs, 'big', 'b')).to.deep.equal(b);

      const interleaved = a.flatMap((message, i) => [{ stream: 'a', message }, { stream: 'b', message: b[i] }]);
      // Same millisecond as b's 11th event: stream names break the tie.
      interleaved.splice(21, 0, { stream: 'a', message: late });
      expect(await filterAll(logs, { logGroupName: 'big' })).to.deep.equal(interleaved);
      const errors = await filterAll(logs, { logGroupName: 'big', filterPattern: 'ERROR' });
      expect(errors).to.deep.equal(interleaved.filter((e) => e.message.includes(' ERROR ')));

      // A window in the middle of the sealed range, both directions.
      const window = await logs.send(
        new GetLogEventsCommand({ logGroupName: 'big', logStreamName: 'b', startTime: start + 1 + 2 * 1500, endTime: start + 1 + 2 * 1505, startFromHead: true }),
      );
      expect(window.events!.map((e) => e.message)).to.deep.equal(b.slice(1500, 1505));
      const stream = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'big', logStreamNamePrefix: 'b' }))).logStreams![0];
      expect(stream.firstEventTimestamp).to.equal(start + 1);
      expect(stream.lastEventTimestamp).to.equal(start + 1 + 2 * (BATCHES * PER_BATCH - 1));
    } finally {
      const spill = store.temporaryDir;
      logs.destroy();
      await cloud.stop();
      expect(spill && existsSync(spill)).to.equal(false);
    }
  });

  it('reads sealed segments and the tail back after a restart with a state folder, each event once after a crash mid-seal', async () => {
    const state = tempDir();
    try {
      const start = Date.now() - 3600_000;
      let cloud = await startTestCloud({ stateDir: state.dir });
      let logs = new CloudWatchLogsClient(cloud.clientConfig());
      await logs.send(new CreateLogGroupCommand({ logGroupName: 'kept' }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: 'kept', logStreamName: 's' }));
      const sent = await putMany(logs, 'kept', 's', start, 1);
      logs.destroy();
      await cloud.stop();

      // As if the cloud had died between writing the last segment and emptying the tail's file: its events are in both.
      const streamsDir = path.join(state.dir, 'logs', '000000000000', 'us-east-1', 'streams');
      const segmentFolder = readdirSync(streamsDir).find((f) => f.endsWith('.segments'))!;
      const newest = readdirSync(path.join(streamsDir, segmentFolder)).sort().at(-1)!;
      appendFileSync(path.join(streamsDir, segmentFolder.replace(/\.segments$/, '')), readFileSync(path.join(streamsDir, segmentFolder, newest)));

      cloud = await startTestCloud({ stateDir: state.dir });
      logs = new CloudWatchLogsClient(cloud.clientConfig());
      try {
        expect(await readForward(logs, 'kept', 's')).to.deep.equal(sent);
        // New events follow the old ones: arrival numbers continue where they stopped.
        await logs.send(new PutLogEventsCommand({ logGroupName: 'kept', logStreamName: 's', logEvents: [{ timestamp: start + sent.length - 1, message: 'same millisecond, later' }] }));
        const tail = await logs.send(new GetLogEventsCommand({ logGroupName: 'kept', logStreamName: 's', limit: 2 }));
        expect(tail.events!.map((e) => e.message)).to.deep.equal([sent[sent.length - 1], 'same millisecond, later']);
      } finally {
        logs.destroy();
        await cloud.stop();
      }
    } finally {
      state.cleanup();
    }
  });

  it('drops expired events, segments included, under the retention policy', async () => {
    const state = tempDir();
    const cloud = await startTestCloud({ stateDir: state.dir });
    const logs = new CloudWatchLogsClient(cloud.clientConfig());
    const provider = cloud.cloud.context.service<LogsProvider>('logs')!;
    try {
      const day = 86400_000;
      const old = Date.now() - 5 * day;
      // Lambda's in-process path takes any timestamp: 2,000 five-day-old events (sealed) and a recent one.
      for (let b = 0; b < 2; b++) {
        const events = Array.from({ length: PER_BATCH }, (_, i) => ({ timestamp: old + b * PER_BATCH + i, message: body(b * PER_BATCH + i) }));
        provider.appendEvents('000000000000', 'us-east-1', 'aging', 's', events);
      }
      provider.appendEvents('000000000000', 'us-east-1', 'aging', 's', [{ timestamp: Date.now() - 1000, message: 'recent' }]);
      const segmentDir = path.join(state.dir, 'logs', '000000000000', 'us-east-1', 'streams');
      const segmentFiles = () => readdirSync(segmentDir, { recursive: true }).filter((f) => /\d{8}\.jsonl$/.test(String(f)));
      expect(segmentFiles()).to.not.be.empty;

      await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'aging', retentionInDays: 3 }));
      // Hidden from reads at once; removed from disk and storedBytes when the store prunes (hourly).
      const visible = await logs.send(new GetLogEventsCommand({ logGroupName: 'aging', logStreamName: 's', startFromHead: true }));
      expect(visible.events!.map((e) => e.message)).to.deep.equal(['recent']);
      provider.store.prune();
      expect(segmentFiles()).to.be.empty;
      const group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'aging' }))).logGroups![0];
      expect(group.storedBytes).to.equal('recent'.length + 26);
      expect((await filterAll(logs, { logGroupName: 'aging' })).map((e) => e.message)).to.deep.equal(['recent']);
    } finally {
      logs.destroy();
      await cloud.stop();
      state.cleanup();
    }
  });
});
