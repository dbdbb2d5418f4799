/**
 * The harness's pure logic, without a cloud: what the end-to-end runs rely on
 * but cannot pin down precisely (every wording of a stack-name problem, option
 * precedence, which failure is the root cause, what the simulator sends).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseOptions, type OptionSpec } from '../../harness/cli/options.js';
import { summarizeChanges } from '../../harness/deploy/change-set.js';
import { functionsUsingZip } from '../../harness/deploy/deploy.js';
import { rootCause, type WatchedEvent } from '../../harness/deploy/stack-events.js';
import { stackNameProblem } from '../../harness/deploy/stack-name.js';
import { MALFORMED_KINDS, SensorFleet, malformedPayload, seededRandom } from '../../harness/simulator/fleet.js';
import { TEMPLATE_PATH } from '../../harness/support/paths.js';
import { UserError } from '../../harness/support/errors.js';
import { decodeSensorEvent } from '../../functions/shared/sensor-event.js';

describe('harness parts', function () {
  describe('stack name check', function () {
    it('accepts lower-case names with digits and hyphens', function () {
      for (const name of ['iot-backend', 'a', 'iot2', 'my-stack-01']) expect(stackNameProblem(name), name).to.equal(undefined);
    });

    it('explains upper case with the bucket rule and a suggestion', function () {
      const problem = stackNameProblem('IoT-Backend');
      expect(problem).to.match(/must be lower case/).and.match(/bucket/).and.match(/try 'iot-backend'/);
    });

    it('refuses what CloudFormation or S3 would refuse later', function () {
      expect(stackNameProblem('')).to.match(/empty/);
      expect(stackNameProblem('1stack')).to.match(/start with a lower-case letter/);
      expect(stackNameProblem('iot_backend')).to.match(/'_'/);
      expect(stackNameProblem('iot.backend')).to.match(/'\.'/);
      expect(stackNameProblem('xn--stack')).to.match(/xn--/);
      expect(stackNameProblem(`a${'b'.repeat(128)}`)).to.match(/129 characters/);
    });
  });

  describe('options', function () {
    const specs: OptionSpec[] = [
      { flag: 'stack', type: 'string', env: 'HARNESS_TEST_STACK', default: 'iot-backend', description: '' },
      { flag: 'rate', type: 'number', env: 'HARNESS_TEST_RATE', default: 10, description: '' },
      { flag: 'destroy', type: 'boolean', env: 'HARNESS_TEST_DESTROY', default: false, description: '' },
    ];
    afterEach(function () {
      delete process.env.HARNESS_TEST_STACK;
      delete process.env.HARNESS_TEST_RATE;
      delete process.env.HARNESS_TEST_DESTROY;
    });

    it('takes the flag over the environment over the default', function () {
      expect(parseOptions('x', specs, []).values).to.deep.equal({ stack: 'iot-backend', rate: 10, destroy: false });
      process.env.HARNESS_TEST_STACK = 'from-env';
      process.env.HARNESS_TEST_RATE = '25';
      process.env.HARNESS_TEST_DESTROY = '1';
      expect(parseOptions('x', specs, []).values).to.deep.equal({ stack: 'from-env', rate: 25, destroy: true });
      expect(parseOptions('x', specs, ['--stack', 'flag', '--rate=3', '--no-destroy']).values).to.deep.equal({ stack: 'flag', rate: 3, destroy: false });
    });

    it('reads DESTROY=0 and DESTROY=false as off', function () {
      for (const off of ['0', 'false', 'no']) {
        process.env.HARNESS_TEST_DESTROY = off;
        expect(parseOptions('x', specs, []).values.destroy, off).to.equal(false);
      }
    });

    it('fails with one line on an unknown option or a bad number', function () {
      expect(() => parseOptions('deploy', specs, ['--bogus'])).to.throw(UserError, /--bogus.*deploy --help/);
      expect(() => parseOptions('deploy', specs, ['--rate', 'fast'])).to.throw(UserError, /--rate must be a number, got 'fast'/);
      process.env.HARNESS_TEST_RATE = 'fast';
      expect(() => parseOptions('deploy', specs, [])).to.throw(UserError, /HARNESS_TEST_RATE must be a number/);
    });
  });

  describe('deploy helpers', function () {
    const event = (path: string, type: string, status: string, reason: string, second: number): WatchedEvent => ({
      path,
      nested: false,
      LogicalResourceId: path.split('/').pop(),
      ResourceType: type,
      ResourceStatus: status as WatchedEvent['ResourceStatus'],
      ResourceStatusReason: reason,
      Timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, second)),
      StackId: 'arn',
      StackName: 's',
      EventId: `${path}-${second}`,
    });

    it('finds the root cause inside the nested stack, not its echoes', function () {
      const events = [
        event('ConfigHelperStack/AddConfigSetting', 'AWS::Lambda::Function', 'CREATE_FAILED', 'Code too large', 1),
        event('EventStream', 'AWS::Kinesis::Stream', 'CREATE_FAILED', 'Resource creation cancelled', 2),
        event('ConfigHelperStack', 'AWS::CloudFormation::Stack', 'CREATE_FAILED', 'Embedded stack was not successfully created', 3),
      ];
      expect(rootCause([...events].reverse())?.path).to.equal('ConfigHelperStack/AddConfigSetting');
      expect(rootCause(events.slice(1))?.path).to.equal('ConfigHelperStack');
      expect(rootCause([])).to.equal(undefined);
    });

    it('maps each zip to the functions whose code it is', function () {
      const template = readFileSync(TEMPLATE_PATH, 'utf8');
      expect(functionsUsingZip(template, 'iot_api.zip')).to.deep.equal(['ApiFunction']);
      expect(functionsUsingZip(template, 'iot_ddb_cw_eventprocessor.zip')).to.deep.equal(['DdbCloudWatchEventProcessorFunction']);
      expect(functionsUsingZip(template, 'iot_s3_eventprocessor.zip')).to.deep.equal(['EventArchiverFunction']);
    });

    it('summarises a change set', function () {
      const changes = [
        { ResourceChange: { Action: 'Add' as const } },
        { ResourceChange: { Action: 'Add' as const } },
        { ResourceChange: { Action: 'Modify' as const, Replacement: 'True' as const } },
      ];
      expect(summarizeChanges(changes)).to.equal('2 to add, 1 to modify (1 replaced), 0 to remove');
    });
  });

  describe('simulated sensors', function () {
    it('send valid events the processor accepts, with strictly increasing timestamps per sensor', function () {
      const fleet = new SensorFleet(7, seededRandom(42));
      const last = new Map<string, string>();
      const now = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 700; i++) {
        const event = fleet.read(now); // a frozen clock: the fleet must still never repeat a key
        const decoded = decodeSensorEvent(Buffer.from(JSON.stringify(event)));
        expect(decoded.ok, JSON.stringify(event)).to.equal(true);
        const previous = last.get(event.sensorid);
        if (previous) expect(event.timestamp > previous).to.equal(true);
        last.set(event.sensorid, event.timestamp);
      }
      expect(fleet.ids).to.have.length(7);
      expect(new Set(fleet.ids).size).to.equal(7);
    });

    it('make malformed events the processor rejects for the intended reason', function () {
      const reading = { sensorid: 'office-temperature-01', value: 21.5, timestamp: '2026-01-01T00:00:00.000Z' };
      const reasons = Object.fromEntries(MALFORMED_KINDS.map((kind) => {
        const decoded = decodeSensorEvent(Buffer.from(malformedPayload(kind, reading)));
        return [kind, decoded.ok ? 'accepted' : decoded.reason];
      }));
      expect(reasons).to.deep.equal({ 'bad-json': 'payload-not-json', 'missing-sensorid': 'sensorid-missing', 'string-value': 'value-not-number' });
    });

    it('replay exactly from a seed', function () {
      const a = new SensorFleet(3, seededRandom(7));
      const b = new SensorFleet(3, seededRandom(7));
      const now = Date.UTC(2026, 0, 1);
      for (let i = 0; i < 20; i++) expect(a.read(now + i)).to.deep.equal(b.read(now + i));
    });
  });
});
