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

/** A TableDescription as the API shows it: without our private field. */
export function publicDescription<T extends object | undefined>(description: T): T {
  if (description && SETTINGS_FIELD in description) delete (description as Record<string, unknown>)[SETTINGS_FIELD];
  return description;
}
