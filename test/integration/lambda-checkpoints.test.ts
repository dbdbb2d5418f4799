import { KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointStore, type MappingCheckpoint } from '../../localcloud/services/lambda/kinesis/checkpoints.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { createStream, putNumbered, received } from '../fixtures/lambda/streams.js';
import { zipFixture } from '../fixtures/lambda/zip.js';

const CLI = fileURLToPath(new URL('../../bin/localcloud.js', import.meta.url));
const ROLE = 'arn:aws:iam::000000000000:role/stream-reader';
const SHARD = 'shardId-000000000000';

/**
 * Shard checkpoints move in memory when a batch is done and reach the disk
 * behind that, off the event loop. What is on disk may lag, never lead: a
 * crash redelivers what was processed after the last write (at least once, as
 * on AWS), and never skips a record.
 */
describe('Lambda checkpoints', function () {
  this.timeout(120_000);

  describe('the store', () => {
    const onDisk = (dir: string, uuid: string): MappingCheckpoint | undefined => {
      const file = path.join(dir, `${uuid}.json`);
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as MappingCheckpoint) : undefined;
    };
    const position = (checkpoint: MappingCheckpoint | undefined) => Number(checkpoint?.shards[SHARD]?.sequenceNumber ?? -1);

    it('writes behind the acknowledgements, in order, never ahead of them, and catches up on flush', async () => {
      const { dir, cleanup } = tempDir('checkpoints-');
      try {
        const store = new CheckpointStore(dir);
        let acknowledged = -1;
        let lastSeen = -1;
        const seenOnTheWay = new Set<number>();
        for (let n = 0; n < 2000; n++) {
          store.update('m', (c) => (c.shards[SHARD] = { sequenceNumber: String(n) }));
          acknowledged = n;
          // What a process restarting at this moment would read.
          const seen = position(onDisk(dir, 'm'));
          expect(seen).to.be.at.most(acknowledged);
          expect(seen).to.be.at.least(lastSeen); // never backwards
          lastSeen = seen;
          seenOnTheWay.add(seen);
          if (n % 50 === 0) await new Promise((r) => setTimeout(r, 1));
        }
        // The writes went on while acknowledgements came in (coalesced: far fewer than 2,000 of them).
        expect(seenOnTheWay.size).to.be.greaterThan(2);
        await store.flush();
        expect(position(onDisk(dir, 'm'))).to.equal(acknowledged);
        // A fresh store (a restart) reads what was written.
        expect(position(new CheckpointStore(dir).get('m'))).to.equal(acknowledged);
      } finally {
        cleanup();
      }
    });

    it('has a mapping written now when asked to, and its file removed even while a write is under way', async () => {
      const { dir, cleanup } = tempDir('checkpoints-');
      try {
        const store = new CheckpointStore(dir);
        store.update('m', (c) => (c.latestSince = 1234));
        await store.written('m');
        expect(onDisk(dir, 'm')?.latestSince).to.equal(1234);
        store.update('m', (c) => (c.shards[SHARD] = { sequenceNumber: '9' }));
        store.delete('m');
        await store.flush();
        expect(onDisk(dir, 'm')).to.equal(undefined);
      } finally {
        cleanup();
      }
    });
  });

  describe('a cloud killed while a mapping delivers', () => {
    const state = tempDir('checkpoints-state-');
    const out = tempDir('checkpoints-out-');
    let child: ChildProcess | undefined;
    let cloud: TestCloud | undefined;

    after(async () => {
      child?.kill('SIGKILL');
      await cloud?.stop();
      state.cleanup();
      out.cleanup();
    });

    /** `localcloud start` in a process of its own, as a user runs it, so that it can be SIGKILLed. */
    async function startCloudProcess(): Promise<string> {
      child = spawn(process.execPath, [CLI, 'start', '--port', '0', '--state', state.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      return waitFor(() => /ready on (http:\/\/\S+)/.exec(output)?.[1], 'the cloud process to be ready', 60_000);
    }

    it('redelivers from the last checkpoint written on restart: nothing skipped, in order', async () => {
      const url = await startCloudProcess();
      const config = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
      let lambda = new LambdaClient(config);
      let kinesis = new KinesisClient(config);
      await createExecutionRole(config, 'stream-reader');
      const streamArn = await createStream(kinesis, 'crash-stream', 1);
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'crash-consumer',
          Runtime: 'nodejs22.x',
          Role: ROLE,
          Handler: 'index.handler',
          Code: { ZipFile: await zipFixture('stream-consumer') },
          Environment: { Variables: { OUT_DIR: out.dir } },
        }),
      );
      const { UUID } = await lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: 'crash-consumer', EventSourceArn: streamArn, StartingPosition: 'TRIM_HORIZON', BatchSize: 5 }),
      );
      await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === 'Enabled', 'the mapping');
      const total = 1500;
      await putNumbered(kinesis, 'crash-stream', 0, total);
      // Kill it in the middle of the stream, batches going through one after another.
      await waitFor(() => received(out.dir).length >= 300, 'the first few hundred records');
      child!.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
      lambda.destroy();
      kinesis.destroy();
      // Function processes notice their cloud is gone and exit; give the one mid-batch time to finish writing.
      await new Promise((r) => setTimeout(r, 1000));
      const beforeCrash = received(out.dir).map((r) => r.i);

      cloud = await startTestCloud({ stateDir: state.dir });
      lambda = new LambdaClient(cloud.clientConfig());
      kinesis = new KinesisClient(cloud.clientConfig());
      try {
        // One shard, in order: once the last record is in, everything before it is.
        await waitFor(() => received(out.dir).some((r) => r.i === total - 1), 'the rest of the stream', 60_000);
      } finally {
        lambda.destroy();
        kinesis.destroy();
      }
      const afterCrash = received(out.dir).map((r) => r.i).slice(beforeCrash.length);

      // Before the crash: the stream in order, from its start.
      expect(beforeCrash).to.deep.equal([...Array(beforeCrash.length).keys()]);
      // After it: resumed at or before the first record not yet processed (redelivery, never a gap), then in order to the end.
      const resumedAt = afterCrash[0];
      expect(resumedAt).to.be.at.most(beforeCrash.length);
      expect(afterCrash).to.deep.equal(Array.from({ length: total - resumedAt }, (_, k) => resumedAt + k));
    });
  });
});
