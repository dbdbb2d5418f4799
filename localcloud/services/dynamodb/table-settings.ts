import type { TableRecord } from './engine.js';

/**
 * Table settings DynamoDB has and dynalite does not model: time to live and
 * point-in-time recovery. They live inside dynalite's own table record, under
 * a field no DynamoDB shape uses, so they persist with the table, go away when
 * the table is deleted, and are written under the same lock as UpdateTable.
 */
export interface TableSettings {
  timeToLive?: { attributeName: string; enabled: boolean };
  pointInTimeRecovery?: { enabled: boolean; recoveryPeriodInDays?: number; enabledAt?: number };
  /** The table's latest stream (kept once disabled: DescribeTable still names it). */
  stream?: { enabled: boolean; viewType: string; arn: string; label: string };
}

const SETTINGS_FIELD = '_localcloud';

export function settingsOf(table: TableRecord): TableSettings {
  return (table[SETTINGS_FIELD] as TableSettings | undefined) ?? {};
}

export function changeSettings(table: TableRecord, change: (settings: TableSettings) => void): void {
  const settings = settingsOf(table);
  change(settings);
  table[SETTINGS_FIELD] = settings;
}

/** A TableDescription as the API shows it: our stream settings in DynamoDB's members, without our private field. */
export function publicDescription<T extends object | undefined>(description: T): T {
  if (description && SETTINGS_FIELD in description) {
    const table = description as Record<string, unknown>;
    const stream = (table[SETTINGS_FIELD] as TableSettings).stream;
    if (stream) {
      table.StreamSpecification = stream.enabled ? { StreamEnabled: true, StreamViewType: stream.viewType } : { StreamEnabled: false };
      table.LatestStreamArn = stream.arn;
      table.LatestStreamLabel = stream.label;
    }
    delete table[SETTINGS_FIELD];
  }
  return description;
}
