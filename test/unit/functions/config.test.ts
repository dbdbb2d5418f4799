import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { ConfigurationError, createConfigLoader } from '../../../functions/shared/config.js';

type Item = Record<string, AttributeValue> | undefined;

const ITEM: Item = {
  Environment: { S: 'demo' },
  SensorDataTable: { S: 'iot-backend-SensorDataTable-ABC123' },
  ArchiveBucket: { S: 'iot-backend-archivebucket-1x2y3z' },
};

/** A reader that answers from a list of canned results, counting reads. */
function reader(...results: Array<Item | Error>) {
  let reads = 0;
  const read = async () => {
    const result = results[Math.min(reads++, results.length - 1)];
    if (result instanceof Error) throw result;
    return result;
  };
  return { read, reads: () => reads };
}

describe('configuration loading', () => {
  it('reads the item once per execution environment, also under concurrent first calls', async () => {
    const source = reader(ITEM);
    const load = createConfigLoader(source.read, ['SensorDataTable']);
    const results = await Promise.all([load(), load(), load()]);
    await load();
    expect(source.reads()).to.equal(1);
    expect(results[0]).to.deep.equal({ SensorDataTable: 'iot-backend-SensorDataTable-ABC123' });
  });

  it('returns only the keys asked for', async () => {
    const load = createConfigLoader(reader(ITEM).read, ['ArchiveBucket']);
    expect(await load()).to.deep.equal({ ArchiveBucket: 'iot-backend-archivebucket-1x2y3z' });
  });

  it('does not cache a failed read: the next invocation reads again', async () => {
    const source = reader(new Error('throttled'), ITEM);
    const load = createConfigLoader(source.read, ['SensorDataTable']);
    await load().then(
      () => expect.fail('should have failed'),
      (e: Error) => expect(e.message).to.equal('throttled'),
    );
    expect(await load()).to.have.property('SensorDataTable');
    expect(source.reads()).to.equal(2);
  });

  it('a missing item or attribute is a clear ConfigurationError, also not cached', async () => {
    const source = reader(undefined, { Environment: { S: 'demo' } }, ITEM);
    const load = createConfigLoader(source.read, ['SensorDataTable']);
    await load().then(
      () => expect.fail('should have failed'),
      (e: Error) => {
        expect(e).to.be.instanceOf(ConfigurationError);
        expect(e.message).to.match(/IoTRefArchConfig item Environment=demo does not exist/);
      },
    );
    await load().then(
      () => expect.fail('should have failed'),
      (e: Error) => expect(e.message).to.match(/has no string attribute SensorDataTable/),
    );
    expect(await load()).to.have.property('SensorDataTable');
  });
});
