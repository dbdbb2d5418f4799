import type { StreamSpecification } from '@aws-sdk/client-dynamodb';
import { AwsError } from '../../../core/errors.js';
import type { DynaliteEngine } from '../engine.js';
import { changeSettings, settingsOf } from '../table-settings.js';

const VIEW_TYPES = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

/** Checks a StreamSpecification as CreateTable and UpdateTable receive it; undefined when absent. */
export function parseStreamSpecification(spec: unknown): StreamSpecification | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (typeof spec !== 'object' || Array.isArray(spec)) throw new AwsError('SerializationException', 'StreamSpecification must be a structure');
  const { StreamEnabled: enabled, StreamViewType: viewType } = spec as StreamSpecification;
  if (typeof enabled !== 'boolean') {
    throw new AwsError('ValidationException', "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null");
  }
  if (viewType !== undefined && !VIEW_TYPES.includes(viewType)) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${String(viewType)}' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [${VIEW_TYPES.join(', ')}]`);
  }
  if (enabled && !viewType) {
    throw new AwsError('ValidationException', 'One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true');
  }
  if (!enabled && viewType) {
    throw new AwsError('ValidationException', 'One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false');
  }
  return { StreamEnabled: enabled, StreamViewType: viewType };
}

/** Whether UpdateTable's StreamSpecification changes anything, refusing what DynamoDB refuses. */
export async function assertStreamChange(engine: DynaliteEngine, tableName: string, spec: StreamSpecification): Promise<void> {
  const current = settingsOf(await engine.readTable(tableName)).stream;
  if (spec.StreamEnabled && current?.enabled) {
    throw new AwsError('ValidationException', `Table already has an enabled stream: TableName: ${tableName}`);
  }
  if (!spec.StreamEnabled && !current?.enabled) {
    throw new AwsError('ValidationException', `Table already has no stream enabled: TableName: ${tableName}`);
  }
}

/** Applies an (already checked) StreamSpecification: a new stream when enabled, the current one closed when not. */
export async function applyStreamSpecification(engine: DynaliteEngine, tableName: string, spec: StreamSpecification): Promise<void> {
  if (spec.StreamEnabled) {
    const table = await engine.readTable(tableName);
    const stream = await engine.streams.enable(tableName, spec.StreamViewType!, table.KeySchema);
    await engine.updateTable(tableName, (t) =>
      changeSettings(t, (s) => (s.stream = { enabled: true, viewType: stream.viewType, arn: stream.streamArn, label: stream.label })),
    );
  } else {
    await engine.streams.disable(tableName);
    await engine.updateTable(tableName, (t) => changeSettings(t, (s) => s.stream && (s.stream.enabled = false)));
  }
}
