import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryItemType } from '@aws-sdk/client-cloudwatch';
import { fromPathSegment, safePathSegment, writeFileAtomic } from '../../core/state-files.js';
import type { AlarmRecord } from './alarm-model.js';

/** CloudWatch keeps alarm history for two weeks. */
export const HISTORY_RETENTION_MS = 14 * 24 * 3600 * 1000;
/** Per account and region, the oldest history items go first beyond this. */
const MAX_HISTORY_ITEMS = 10_000;

export interface HistoryItem {
  alarmName: string;
  timestamp: number;
  type: HistoryItemType;
  summary: string;
  /** JSON text, as AWS's HistoryData. */
  data: string;
}

interface RegionAlarms {
  alarms: Map<string, AlarmRecord>;
  history: HistoryItem[];
}

/**
 * The alarms state model: alarms and their history per account and region,
 * in memory, written whole to `<stateDir>/cloudwatch-alarms/<account>/<region>.json`
 * after each change when a state directory is set (alarms are few and change
 * rarely, unlike datapoints). It never sees HTTP.
 */
export class AlarmStore {
  private readonly regions = new Map<string, RegionAlarms>();

  constructor(
    private readonly dir: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  load(): void {
    if (!this.dir || !existsSync(this.dir)) return;
    for (const accountDir of readdirSync(this.dir, { withFileTypes: true })) {
      if (!accountDir.isDirectory()) continue;
      for (const file of readdirSync(path.join(this.dir, accountDir.name))) {
        if (!file.endsWith('.json')) continue;
        const accountId = fromPathSegment(accountDir.name);
        const region = fromPathSegment(file.slice(0, -'.json'.length));
        try {
          const saved = JSON.parse(readFileSync(path.join(this.dir, accountDir.name, file), 'utf8')) as { alarms: AlarmRecord[]; history: HistoryItem[] };
          const target = this.regionFor(accountId, region);
          for (const alarm of saved.alarms ?? []) target.alarms.set(alarm.name, alarm);
          target.history.push(...(saved.history ?? []));
        } catch {
          // A damaged file loses its alarms rather than the cloud its start.
        }
      }
    }
  }

  get(accountId: string, region: string, name: string): AlarmRecord | undefined {
    return this.regions.get(regionKey(accountId, region))?.alarms.get(name);
  }

  /** Alarms of an account and region, by name. */
  list(accountId: string, region: string): AlarmRecord[] {
    const alarms = this.regions.get(regionKey(accountId, region))?.alarms;
    return alarms ? [...alarms.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : [];
  }

  /** Every account and region that has alarms, for the evaluator. */
  scopes(): { accountId: string; region: string }[] {
    return [...this.regions.entries()]
      .filter(([, r]) => r.alarms.size > 0)
      .map(([key]) => {
        const [accountId, region] = key.split('\u0000');
        return { accountId, region };
      });
  }

  put(accountId: string, region: string, alarm: AlarmRecord): void {
    this.regionFor(accountId, region).alarms.set(alarm.name, alarm);
    this.save(accountId, region);
  }

  delete(accountId: string, region: string, name: string): boolean {
    const removed = this.regions.get(regionKey(accountId, region))?.alarms.delete(name) ?? false;
    if (removed) this.save(accountId, region);
    return removed;
  }

  /** Adds history items; persist with `save` (callers batch a change and its history). */
  record(accountId: string, region: string, ...items: HistoryItem[]): void {
    const target = this.regionFor(accountId, region);
    target.history.push(...items);
    const cutoff = this.now() - HISTORY_RETENTION_MS;
    if (target.history.length > MAX_HISTORY_ITEMS || (target.history[0] && target.history[0].timestamp < cutoff)) {
      target.history = target.history.filter((h) => h.timestamp >= cutoff).slice(-MAX_HISTORY_ITEMS);
    }
  }

  history(accountId: string, region: string): readonly HistoryItem[] {
    return this.regions.get(regionKey(accountId, region))?.history ?? [];
  }

  save(accountId: string, region: string): void {
    if (!this.dir) return;
    const target = this.regionFor(accountId, region);
    const file = path.join(this.dir, safePathSegment(accountId), `${safePathSegment(region)}.json`);
    writeFileAtomic(file, JSON.stringify({ alarms: [...target.alarms.values()], history: target.history }));
  }

  private regionFor(accountId: string, region: string): RegionAlarms {
    const key = regionKey(accountId, region);
    let target = this.regions.get(key);
    if (!target) {
      target = { alarms: new Map(), history: [] };
      this.regions.set(key, target);
    }
    return target;
  }
}

const regionKey = (accountId: string, region: string) => `${accountId}\u0000${region}`;
