/** `make logs`'s formatting of Lambda log events: folding, REPORT, JSON, errors, colour on and off. */
import { expect } from 'chai';
import { formatLogEvent, type FormatOptions, type LogSource } from '../../../harness/logs/format.js';
import { parseSince } from '../../../harness/logs/since.js';
import { UserError } from '../../../harness/support/errors.js';
import type { Colour, Paint } from '../../../harness/support/terminal.js';

const REQUEST = '3f2a9c1e-0b7d-4c4e-9a51-2d7e8f1a6b90';
const AT = Date.UTC(2026, 11, 6, 12, 4, 5, 123);
const source: LogSource = { label: 'IotApiFunction', colour: 'cyan' };
const plain: Paint = Object.assign((_c: Colour, text: string) => text, { enabled: false });
const coloured: Paint = Object.assign((c: Colour, text: string) => `<${c}>${text}</${c}>`, { enabled: true });
const options = (paint = plain): FormatOptions => ({ paint, labelWidth: 16, timeZone: 'UTC' });
const format = (message: string, paint = plain) => formatLogEvent({ timestamp: AT, message }, source, options(paint));

describe('make logs: event formatting', function () {
  it('folds START and END away, and INIT_START', function () {
    expect(format(`START RequestId: ${REQUEST} Version: $LATEST`)).to.equal(undefined);
    expect(format(`END RequestId: ${REQUEST}`)).to.equal(undefined);
    expect(format('INIT_START Runtime Version: nodejs:22.v30\tRuntime Version ARN: arn:aws:lambda:…')).to.equal(undefined);
  });

  it('prints a console line with time, function, level, short request id and message', function () {
    expect(format(`2026-12-06T12:04:05.120Z\t${REQUEST}\tINFO\tprocessing 12 records`)).to.equal(
      '12:04:05.123 IotApiFunction   INFO  3f2a9c1e  processing 12 records',
    );
  });

  it('turns REPORT into duration and memory, with the cold start when there was one', function () {
    const report = `REPORT RequestId: ${REQUEST}\tDuration: 14.23 ms\tBilled Duration: 15 ms\tMemory Size: 128 MB\tMax Memory Used: 71 MB\tInit Duration: 103.40 ms\t`;
    expect(format(report)).to.equal('12:04:05.123 IotApiFunction   DONE  3f2a9c1e  14.2 ms · 71 of 128 MB · cold start 103.4 ms');
    const timedOut = `REPORT RequestId: ${REQUEST}\tDuration: 3000.12 ms\tBilled Duration: 3001 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tStatus: timeout\t`;
    expect(format(timedOut)).to.match(/FAIL  3f2a9c1e  3\.00 s · 64 of 128 MB timeout$/);
  });

  it('pretty-prints a JSON message under its first line', function () {
    const text = format(`2026-12-06T12:04:05.120Z\t${REQUEST}\tINFO\t{"sensorId":"s-1","value":21.5}`)!;
    const lines = text.split('\n');
    expect(lines[0]).to.match(/INFO  3f2a9c1e  \{$/);
    expect(lines.slice(1).map((l) => l.trim())).to.deep.equal(['"sensorId": "s-1",', '"value": 21.5', '}']);
    // continuation lines line up under the message
    expect(lines[1]!.indexOf('"sensorId"')).to.equal(lines[0]!.indexOf('{') + 2);
  });

  it("reads Lambda's JSON log format (LogFormat JSON) as level, request and message", function () {
    const event = JSON.stringify({ timestamp: '2026-12-06T12:04:05.120Z', level: 'WARN', requestId: REQUEST, message: 'slow sensor' });
    expect(format(event)).to.equal('12:04:05.123 IotApiFunction   WARN  3f2a9c1e  slow sensor');
  });

  it("shows a structured logger's line as its message, then its other fields and an error's frames", function () {
    const error = { name: 'Error', message: 'no table', stack: 'Error: no table\n    at load (/t/functions/shared/config.ts:12:3)' };
    const event = JSON.stringify({ time: '2026-12-06T12:04:05.120Z', level: 'warn', message: 'Query failed', function: 'f', awsRequestId: REQUEST, event: 'query-failed', error });
    const lines = format(event)!.split('\n');
    expect(lines[0]).to.equal('12:04:05.123 IotApiFunction   WARN  3f2a9c1e  Query failed');
    const rest = lines.slice(1).map((l) => l.trim());
    expect(rest).to.include('"event": "query-failed",').and.include('"message": "no table"');
    expect(rest[rest.length - 1]).to.equal('at load (/t/functions/shared/config.ts:12:3)');
  });

  it('shows an error report as type, message and stack frames, own sources highlighted', function () {
    const stack = ['TypeError: x is undefined', '    at handler (/var/task/functions/iot_api.ts:41:9)', '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'];
    const message = `2026-12-06T12:04:05.120Z\t${REQUEST}\tERROR\tInvoke Error \t${JSON.stringify({ errorType: 'TypeError', errorMessage: 'x is undefined', stack })}`;
    const lines = format(message, coloured)!.split('\n');
    expect(lines[0]).to.contain('<red>ERROR</red>').and.contain('<grey>Invoke Error</grey> <red>TypeError: x is undefined</red>');
    expect(lines[1]).to.contain('<yellow>  at handler (/var/task/functions/iot_api.ts:41:9)</yellow>');
    expect(lines[2]).to.contain('<grey>  at process.processTicksAndRejections');
    expect(lines).to.have.length(3);
  });

  it('highlights a timeout and a console.error with its stack', function () {
    expect(format(`2026-12-06T12:04:08.000Z ${REQUEST} Task timed out after 3.00 seconds`, coloured)).to.contain('<red>ERROR</red>').and.contain('<red>Task timed out after 3.00 seconds</red>');
    const lines = format(`2026-12-06T12:04:05.120Z\t${REQUEST}\tERROR\tError: boom\n    at run (/x/functions/shared/a.ts:3:1)`, coloured)!.split('\n');
    expect(lines[0]).to.contain('<red>Error: boom</red>');
    expect(lines[1]).to.contain('<yellow>  at run (/x/functions/shared/a.ts:3:1)</yellow>');
  });

  it('marks what the debugger did to the timeout', function () {
    expect(format(`DEBUGGER RequestId: ${REQUEST} paused in the debugger: the 10 s timeout is suspended`)).to.match(/DEBUG 3f2a9c1e  paused in the debugger: the 10 s timeout is suspended$/);
  });

  it('writes no escape codes with colour off, and colours the function label with it on', function () {
    const line = `2026-12-06T12:04:05.120Z\t${REQUEST}\tERROR\tfailed`;
    expect(format(line)).not.to.contain('\x1b').and.not.to.contain('<');
    expect(format(line, coloured)).to.contain('<cyan>IotApiFunction  </cyan>');
  });
});

describe('make logs: SINCE', function () {
  const now = Date.UTC(2026, 11, 6, 12, 0, 0);
  it('reads durations and ISO times', function () {
    expect(parseSince('30s', now)).to.equal(now - 30_000);
    expect(parseSince('5m', now)).to.equal(now - 300_000);
    expect(parseSince('1h', now)).to.equal(now - 3_600_000);
    expect(parseSince('2d', now)).to.equal(now - 2 * 86_400_000);
    expect(parseSince('2026-12-06T11:00:00Z', now)).to.equal(now - 3_600_000);
  });
  it('refuses anything else, and the future, with what it accepts', function () {
    expect(() => parseSince('yesterday', now)).to.throw(UserError, /neither a duration \(30s, 5m, 1h, 2d\) nor an ISO time/);
    expect(() => parseSince('5', now)).to.throw(UserError);
    expect(() => parseSince('2027-01-01', now)).to.throw(UserError, /future/);
  });
});
