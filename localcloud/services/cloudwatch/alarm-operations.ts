import type {
  AlarmHistoryItem,
  DeleteAlarmsCommandInput,
  DescribeAlarmHistoryCommandInput,
  DescribeAlarmHistoryCommandOutput,
  DescribeAlarmsCommandInput,
  DescribeAlarmsCommandOutput,
  DescribeAlarmsForMetricCommandInput,
  DescribeAlarmsForMetricCommandOutput,
  Dimension,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  PutMetricAlarmCommandInput,
  SetAlarmStateCommandInput,
  StateValue,
  TagResourceCommandInput,
  UntagResourceCommandInput,
} from '@aws-sdk/client-cloudwatch';
import type { ServiceRequest } from '../../core/types.js';
import type { AlarmActions } from './alarm-actions.js';
import { evaluateAlarm, type Evaluation } from './alarm-evaluation.js';
import { alarmArn, parseAlarmConfiguration, parseTags, toMetricAlarm, type AlarmRecord } from './alarm-model.js';
import type { AlarmStore, HistoryItem } from './alarm-store.js';
import { toDate, toList, toNumber, toText } from './coerce.js';
import { alarmNotFound, invalidFormat, invalidNextToken, invalidValue, missingParameter, resourceNotFound, validationError } from './errors.js';
import type { MetricStore, NewSample } from './metric-store.js';
import { validateDimensions, validateUnit } from './validate.js';

type Output<T> = Omit<T, '$metadata'>;
type Wire<T> = { [K in keyof T]?: unknown };
type Scope = { accountId: string; region: string };

const STATE_VALUES: readonly StateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const HISTORY_TYPES = ['ConfigurationUpdate', 'StateUpdate', 'Action', 'AlarmContributorStateUpdate', 'AlarmContributorAction'];
const ALARM_TYPES = ['MetricAlarm', 'CompositeAlarm'];
const MAX_NAMES = 100;

/**
 * CloudWatch metric alarms: the API (PutMetricAlarm, DescribeAlarms, …) and
 * the evaluation that moves alarms between OK, ALARM and INSUFFICIENT_DATA.
 * Alarms are evaluated on a timer (every 60 s, as on AWS) and at once when
 * datapoints arrive for the metric they watch; a state change writes history
 * and runs the actions of the new state.
 */
export class AlarmOperations {
  /** Action deliveries in flight, so a stopping cloud can let them finish. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly alarms: AlarmStore,
    private readonly metrics: MetricStore,
    private readonly actions: AlarmActions,
    private readonly now: () => number = Date.now,
  ) {}

  PutMetricAlarm(input: Wire<PutMetricAlarmCommandInput>, req: ServiceRequest): void {
    const config = parseAlarmConfiguration(input as Record<string, any>);
    for (const [list, parameter] of [
      [config.alarmActions, 'AlarmActions'],
      [config.okActions, 'OKActions'],
      [config.insufficientDataActions, 'InsufficientDataActions'],
    ] as const) {
      this.actions.validate(list, parameter, req.accountId, req.region);
    }
    const now = this.now();
    const existing = this.alarms.get(req.accountId, req.region, config.name);
    const alarm: AlarmRecord = {
      ...config,
      arn: alarmArn(req.region, req.accountId, config.name),
      // Updating an alarm keeps its state and its tags (AWS ignores Tags on an update).
      state: existing?.state ?? { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', updated: now },
      stateTransitioned: existing?.stateTransitioned ?? now,
      configurationUpdated: now,
      tags: existing ? existing.tags : config.tags,
    };
    this.alarms.put(req.accountId, req.region, alarm);
    this.alarms.record(req.accountId, req.region, {
      alarmName: alarm.name,
      timestamp: now,
      type: 'ConfigurationUpdate',
      summary: `Alarm "${alarm.name}" ${existing ? 'updated' : 'created'}`,
      data: JSON.stringify({
        version: '1.0',
        type: existing ? 'Update' : 'Create',
        ...(existing ? { originalUpdatedAlarm: configurationOf(existing) } : {}),
        [existing ? 'updatedAlarm' : 'createdAlarm']: configurationOf(alarm),
      }),
    });
    this.alarms.save(req.accountId, req.region);
    this.evaluate(req, alarm);
  }

  DescribeAlarms(input: Wire<DescribeAlarmsCommandInput>, req: ServiceRequest): Output<DescribeAlarmsCommandOutput> {
    const names = nameList(input.AlarmNames, 'AlarmNames', false);
    const prefix = toText(input.AlarmNamePrefix);
    if (names.length > 0 && prefix !== undefined) {
      throw invalidValue('AlarmNames and AlarmNamePrefix are mutually exclusive; specify one or the other.');
    }
    const stateValue = optionalEnum(input.StateValue, 'StateValue', STATE_VALUES);
    const actionPrefix = toText(input.ActionPrefix);
    const types = (toList<unknown>(input.AlarmTypes) ?? []).map((t) => String(t));
    types.forEach((t) => {
      if (!ALARM_TYPES.includes(t)) throw validationError(`The value ${t} for parameter AlarmTypes is invalid. Valid values are ${ALARM_TYPES.join(', ')}.`);
    });
    const maxRecords = pageSize(input.MaxRecords, 'MaxRecords', 50);
    const children = toText(input.ChildrenOfAlarmName);
    const parents = toText(input.ParentsOfAlarmName);
    // Only composite alarms have children and parents, and localcloud has none: such a query matches nothing.
    const wantsMetricAlarms = (types.length === 0 || types.includes('MetricAlarm')) && children === undefined && parents === undefined;

    const matching = !wantsMetricAlarms
      ? []
      : this.alarms.list(req.accountId, req.region).filter(
          (a) =>
            (names.length === 0 || names.includes(a.name)) &&
            (prefix === undefined || a.name.startsWith(prefix)) &&
            (stateValue === undefined || a.state.value === stateValue) &&
            (actionPrefix === undefined || [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].some((arn) => arn.startsWith(actionPrefix))),
        );
    const offset = input.NextToken === undefined ? 0 : decodeOffset(input.NextToken);
    const page = matching.slice(offset, offset + maxRecords);
    return {
      MetricAlarms: page.map(toMetricAlarm),
      CompositeAlarms: [],
      NextToken: offset + maxRecords < matching.length ? encodeOffset(offset + maxRecords) : undefined,
    };
  }

  DescribeAlarmsForMetric(input: Wire<DescribeAlarmsForMetricCommandInput>, req: ServiceRequest): Output<DescribeAlarmsForMetricCommandOutput> {
    const metricName = toText(input.MetricName);
    const namespace = toText(input.Namespace);
    if (!metricName) throw missingParameter('MetricName');
    if (!namespace) throw missingParameter('Namespace');
    const dimensions = validateDimensions(input.Dimensions, 'Dimensions');
    const statistic = toText(input.Statistic);
    const extended = toText(input.ExtendedStatistic);
    const period = toNumber(input.Period);
    const unit = validateUnit(input.Unit, 'Unit');
    const alarms = this.alarms.list(req.accountId, req.region).filter(({ watched: w }) => {
      if (w.namespace !== namespace || w.metricName !== metricName || !sameDimensions(w.dimensions, dimensions)) return false;
      if (statistic !== undefined && (w.extended || w.stat !== statistic)) return false;
      if (extended !== undefined && (!w.extended || w.stat !== extended)) return false;
      if (period !== undefined && w.period !== period) return false;
      return unit === undefined || w.unit === unit;
    });
    return { MetricAlarms: alarms.map(toMetricAlarm) };
  }

  DeleteAlarms(input: Wire<DeleteAlarmsCommandInput>, req: ServiceRequest): void {
    const names = nameList(input.AlarmNames, 'AlarmNames', true);
    const missing = names.find((name) => !this.alarms.get(req.accountId, req.region, name));
    // AWS deletes none when any is missing.
    if (missing !== undefined) throw alarmNotFound(missing);
    for (const name of names) this.alarms.delete(req.accountId, req.region, name);
  }

  SetAlarmState(input: Wire<SetAlarmStateCommandInput>, req: ServiceRequest): void {
    const name = toText(input.AlarmName);
    if (!name) throw missingParameter('AlarmName');
    const value = optionalEnum(input.StateValue, 'StateValue', STATE_VALUES);
    if (value === undefined) throw missingParameter('StateValue');
    const reason = toText(input.StateReason);
    if (reason === undefined) throw missingParameter('StateReason');
    if (reason.length > 1023) throw validationError("1 validation error detected: Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023");
    const reasonData = toText(input.StateReasonData);
    if (reasonData !== undefined) {
      if (reasonData.length > 4000) throw validationError("1 validation error detected: Value at 'stateReasonData' failed to satisfy constraint: Member must have length less than or equal to 4000");
      try {
        JSON.parse(reasonData);
      } catch {
        throw invalidFormat('StateReasonData is not valid JSON.');
      }
    }
    const alarm = this.alarms.get(req.accountId, req.region, name);
    if (!alarm) throw alarmNotFound(name);
    this.transition(req, alarm, { value, reason, reasonData: reasonData ?? '' }, true);
  }

  DescribeAlarmHistory(input: Wire<DescribeAlarmHistoryCommandInput>, req: ServiceRequest): Output<DescribeAlarmHistoryCommandOutput> {
    const name = toText(input.AlarmName);
    const type = optionalEnum(input.HistoryItemType, 'HistoryItemType', HISTORY_TYPES);
    const types = (toList<unknown>(input.AlarmTypes) ?? []).map(String);
    types.forEach((t) => {
      if (!ALARM_TYPES.includes(t)) throw validationError(`The value ${t} for parameter AlarmTypes is invalid. Valid values are ${ALARM_TYPES.join(', ')}.`);
    });
    const start = toDate(input.StartDate)?.getTime();
    const end = toDate(input.EndDate)?.getTime();
    if ((start !== undefined && Number.isNaN(start)) || (end !== undefined && Number.isNaN(end))) throw invalidValue('StartDate and EndDate must be timestamps.');
    const scanBy = toText(input.ScanBy) ?? 'TimestampDescending';
    if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
      throw validationError(`The value ${scanBy} for parameter ScanBy is invalid; use TimestampDescending or TimestampAscending.`);
    }
    const maxRecords = pageSize(input.MaxRecords, 'MaxRecords', 100);
    const wantsMetricAlarms = types.length === 0 || types.includes('MetricAlarm');
    const items = !wantsMetricAlarms
      ? []
      : this.alarms
          .history(req.accountId, req.region)
          .filter(
            (h) =>
              (name === undefined || h.alarmName === name) &&
              (type === undefined || h.type === type) &&
              (start === undefined || h.timestamp >= start) &&
              (end === undefined || h.timestamp <= end),
          );
    const ordered = scanBy === 'TimestampAscending' ? [...items] : [...items].reverse();
    const offset = input.NextToken === undefined ? 0 : decodeOffset(input.NextToken);
    const page = ordered.slice(offset, offset + maxRecords);
    return {
      AlarmHistoryItems: page.map(
        (h): AlarmHistoryItem => ({
          AlarmName: h.alarmName,
          AlarmType: 'MetricAlarm',
          Timestamp: new Date(h.timestamp),
          HistoryItemType: h.type,
          HistorySummary: h.summary,
          HistoryData: h.data,
        }),
      ),
      NextToken: offset + maxRecords < ordered.length ? encodeOffset(offset + maxRecords) : undefined,
    };
  }

  EnableAlarmActions(input: { AlarmNames?: unknown }, req: ServiceRequest): void {
    this.setActionsEnabled(input, req, true);
  }

  DisableAlarmActions(input: { AlarmNames?: unknown }, req: ServiceRequest): void {
    this.setActionsEnabled(input, req, false);
  }

  TagResource(input: Wire<TagResourceCommandInput>, req: ServiceRequest): void {
    const alarm = this.alarmOfArn(input.ResourceARN, req);
    const tags = parseTags(input.Tags);
    if (tags.length === 0) throw missingParameter('Tags');
    for (const tag of tags) {
      const existing = alarm.tags.find((t) => t.Key === tag.Key);
      if (existing) existing.Value = tag.Value;
      else alarm.tags.push(tag);
    }
    if (alarm.tags.length > 50) throw validationError('An alarm can have at most 50 tags.');
    this.alarms.save(req.accountId, req.region);
  }

  UntagResource(input: Wire<UntagResourceCommandInput>, req: ServiceRequest): void {
    const alarm = this.alarmOfArn(input.ResourceARN, req);
    const keys = (toList<unknown>(input.TagKeys) ?? []).map(String);
    if (keys.length === 0) throw missingParameter('TagKeys');
    alarm.tags = alarm.tags.filter((t) => !keys.includes(t.Key!));
    this.alarms.save(req.accountId, req.region);
  }

  ListTagsForResource(input: Wire<ListTagsForResourceCommandInput>, req: ServiceRequest): Output<ListTagsForResourceCommandOutput> {
    return { Tags: this.alarmOfArn(input.ResourceARN, req).tags.map((t) => ({ ...t })) };
  }

  /** Evaluates the alarms watching any metric these datapoints belong to, so they react at once. */
  metricsPut(scope: Scope, namespace: string, samples: NewSample[]): void {
    const alarms = this.alarms.list(scope.accountId, scope.region);
    if (alarms.length === 0) return;
    for (const alarm of alarms) {
      const w = alarm.watched;
      if (w.namespace === namespace && samples.some((s) => s.metricName === w.metricName && sameDimensions(s.dimensions, w.dimensions))) {
        this.evaluate(scope, alarm);
      }
    }
  }

  /** One evaluation round over every alarm (the timer's job). */
  evaluateAll(): void {
    for (const scope of this.alarms.scopes()) {
      for (const alarm of this.alarms.list(scope.accountId, scope.region)) this.evaluate(scope, alarm);
    }
  }

  /** Resolves once the action deliveries started so far have finished. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private evaluate(scope: Scope, alarm: AlarmRecord): void {
    const outcome = evaluateAlarm(alarm, this.metrics, scope.accountId, scope.region, this.now());
    if (outcome) this.transition(scope, alarm, outcome, false);
  }

  /** Moves an alarm to a state: history and actions only when the state value changes, as on AWS. */
  private transition(scope: Scope, alarm: AlarmRecord, next: Evaluation, manual: boolean): void {
    const previous = alarm.state;
    if (previous.value === next.value && !manual) return;
    const now = this.now();
    alarm.state = { value: next.value, reason: next.reason, reasonData: next.reasonData || undefined, updated: now };
    if (previous.value === next.value) {
      this.alarms.save(scope.accountId, scope.region);
      return;
    }
    alarm.stateTransitioned = now;
    this.alarms.record(scope.accountId, scope.region, {
      alarmName: alarm.name,
      timestamp: now,
      type: 'StateUpdate',
      summary: `Alarm updated from ${previous.value} to ${next.value}`,
      data: JSON.stringify({
        version: '1.0',
        oldState: stateData(previous),
        newState: stateData(alarm.state),
      }),
    });
    this.alarms.save(scope.accountId, scope.region);
    const delivery = this.actions
      .run(alarm, scope.accountId, scope.region, { previous, current: alarm.state })
      .then((items) => {
        if (items.length === 0) return;
        this.alarms.record(scope.accountId, scope.region, ...items);
        this.alarms.save(scope.accountId, scope.region);
      })
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  private setActionsEnabled(input: { AlarmNames?: unknown }, req: ServiceRequest, enabled: boolean): void {
    for (const name of nameList(input.AlarmNames, 'AlarmNames', true)) {
      const alarm = this.alarms.get(req.accountId, req.region, name);
      if (alarm) alarm.actionsEnabled = enabled;
    }
    this.alarms.save(req.accountId, req.region);
  }

  private alarmOfArn(value: unknown, req: ServiceRequest): AlarmRecord {
    const arn = toText(value);
    if (!arn) throw missingParameter('ResourceARN');
    const match = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/.exec(arn);
    if (!match) {
      if (/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:(dashboard|insight-rule|metric-stream)\//.test(arn)) {
        throw invalidValue(`The resource ${arn} is not served by localcloud: only alarms carry tags here.`);
      }
      throw invalidValue(`Invalid ARN: ${arn}`);
    }
    const [, region, accountId, name] = match;
    const alarm = region === req.region && accountId === req.accountId ? this.alarms.get(accountId, region, name) : undefined;
    if (!alarm) throw resourceNotFound(`${arn} not found`);
    return alarm;
  }
}

function configurationOf(alarm: AlarmRecord) {
  const described = toMetricAlarm(alarm);
  return {
    ...described,
    AlarmConfigurationUpdatedTimestamp: described.AlarmConfigurationUpdatedTimestamp?.toISOString(),
    StateUpdatedTimestamp: undefined,
    StateTransitionedTimestamp: undefined,
    StateValue: undefined,
    StateReason: undefined,
    StateReasonData: undefined,
  };
}

function stateData(state: AlarmRecord['state']) {
  let reasonData: unknown;
  try {
    reasonData = state.reasonData ? JSON.parse(state.reasonData) : undefined;
  } catch {
    reasonData = undefined;
  }
  return { stateValue: state.value, stateReason: state.reason, ...(reasonData !== undefined ? { stateReasonData: reasonData } : {}) };
}

function sameDimensions(a: Dimension[], b: Dimension[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((d) => b.some((e) => e.Name === d.Name && e.Value === d.Value));
}

function nameList(value: unknown, parameter: string, required: boolean): string[] {
  const names = (toList<unknown>(value) ?? []).map((v) => toText(v) ?? '');
  if (required && names.length === 0) throw missingParameter(parameter);
  if (names.length > MAX_NAMES) throw validationError(`The collection ${parameter} must not have a size greater than ${MAX_NAMES}.`);
  return names;
}

function optionalEnum<T extends string>(value: unknown, parameter: string, allowed: readonly T[]): T | undefined {
  const text = toText(value);
  if (text === undefined) return undefined;
  if (!allowed.includes(text as T)) {
    const member = parameter.charAt(0).toLowerCase() + parameter.slice(1);
    throw validationError(`1 validation error detected: Value '${text}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return text as T;
}

function pageSize(value: unknown, parameter: string, fallback: number): number {
  const n = toNumber(value);
  if (n === undefined) return fallback;
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw validationError(`1 validation error detected: Value '${String(value)}' at '${parameter.charAt(0).toLowerCase()}${parameter.slice(1)}' failed to satisfy constraint: Member must have value between 1 and 100`);
  }
  return n;
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeOffset(token: unknown): number {
  try {
    const { offset } = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8'));
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw invalidNextToken();
}

export type { HistoryItem };
