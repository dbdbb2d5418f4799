import { expect } from 'chai';
import {
  InvalidRequestError,
  parseQueryRequest,
  QUERY_LIMIT,
  queryInput,
  queryResponse,
} from '../../../functions/api/query.js';

function expectInvalid(event: unknown, message: RegExp): void {
  expect(() => parseQueryRequest(event))
    .to.throw(InvalidRequestError, message)
    .with.property('name', 'InvalidRequestError');
}

describe('query API', () => {
  it('accepts {"operation": "query", "sensorid": "<id>"}', () => {
    expect(parseQueryRequest({ operation: 'query', sensorid: 'sensor-1' })).to.deep.equal({
      operation: 'query',
      sensorId: 'sensor-1',
    });
    expect(parseQueryRequest({ operation: 'query', sensorid: 'Küche-温度' }).sensorId).to.equal('Küche-温度');
  });

  it('rejects a request that is not an object', () => {
    for (const event of [null, 'query', 42, ['query']]) expectInvalid(event, /must be a JSON object/);
  });

  it('rejects any operation but query', () => {
    expectInvalid({ sensorid: 's' }, /Unsupported operation null/);
    expectInvalid({ operation: 'delete', sensorid: 's' }, /Unsupported operation "delete"/);
    expectInvalid({ operation: 'Query', sensorid: 's' }, /the only operation is "query"/);
  });

  it('rejects a missing, empty, non-string or over-long sensorid', () => {
    expectInvalid({ operation: 'query' }, /Invalid sensorid \(sensorid-missing\)/);
    expectInvalid({ operation: 'query', sensorid: '' }, /sensorid-empty/);
    expectInvalid({ operation: 'query', sensorid: 12 }, /sensorid-not-string/);
    expectInvalid({ operation: 'query', sensorid: 'x'.repeat(300) }, /sensorid-too-long/);
  });

  it('queries the 20 newest items of the sensor, newest first', () => {
    expect(queryInput('iot-backend-SensorDataTable-ABC123', 'sensor-1')).to.deep.equal({
      TableName: 'iot-backend-SensorDataTable-ABC123',
      KeyConditionExpression: '#sensor = :sensor',
      ExpressionAttributeNames: { '#sensor': 'SensorId' },
      ExpressionAttributeValues: { ':sensor': { S: 'sensor-1' } },
      ScanIndexForward: false,
      Limit: QUERY_LIMIT,
    });
    expect(QUERY_LIMIT).to.equal(20);
  });

  it('answers plain JSON items in the original shape, numbers as numbers', () => {
    const response = queryResponse({
      Items: [
        { SensorId: { S: 's' }, Timestamp: { S: '2024-05-01T12:00:01.000Z' }, Value: { N: '21.5' } },
        { SensorId: { S: 's' }, Timestamp: { S: '2024-05-01T12:00:00.000Z' }, Value: { N: '123456789012345678901234' } },
        // stored by the original, which kept the test page's string
        { SensorId: { S: 's' }, Timestamp: { S: '2016-01-01T00:00:00.000Z' }, Value: { S: '20' } },
      ],
      Count: 3,
      ScannedCount: 3,
    });
    expect(response).to.deep.equal({
      Items: [
        { SensorId: 's', Timestamp: '2024-05-01T12:00:01.000Z', Value: 21.5 },
        { SensorId: 's', Timestamp: '2024-05-01T12:00:00.000Z', Value: 1.2345678901234568e23 },
        { SensorId: 's', Timestamp: '2016-01-01T00:00:00.000Z', Value: '20' },
      ],
      Count: 3,
      ScannedCount: 3,
    });
    expect(() => JSON.stringify(response)).to.not.throw();
  });

  it('answers an empty list for an unknown sensor', () => {
    expect(queryResponse({ Items: [], Count: 0, ScannedCount: 0 })).to.deep.equal({ Items: [], Count: 0, ScannedCount: 0 });
    expect(queryResponse({})).to.deep.equal({ Items: [], Count: 0, ScannedCount: 0 });
  });
});
