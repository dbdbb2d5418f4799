import { expect } from 'chai';
import { createLogger } from '../../../functions/shared/log.js';

describe('structured log', () => {
  const clock = () => new Date('2024-05-01T12:00:00.000Z');

  it('writes one JSON object per line with time, level, message and fields', () => {
    const lines: string[] = [];
    const log = createLogger({ function: 'fn' }, (line) => lines.push(line), clock).child({ awsRequestId: 'req-1' });
    log.warn('Skipped invalid event', { reason: 'payload-not-json', detail: 'a\nb' });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.not.include('\n');
    expect(JSON.parse(lines[0]!)).to.deep.equal({
      time: '2024-05-01T12:00:00.000Z',
      level: 'warn',
      message: 'Skipped invalid event',
      function: 'fn',
      awsRequestId: 'req-1',
      reason: 'payload-not-json',
      detail: 'a\nb',
    });
  });

  it('keeps errors and bigints instead of dropping or throwing', () => {
    const lines: string[] = [];
    const log = createLogger({}, (line) => lines.push(line), clock);
    const error = Object.assign(new TypeError('bad'), {});
    log.error('failed', { error, big: 10n });
    const entry = JSON.parse(lines[0]!);
    expect(entry.error).to.include({ name: 'TypeError', message: 'bad' });
    expect(entry.big).to.equal('10');
  });
});
