/**
 * The events the bench sends: `{"sensorid","value","timestamp"}` as the
 * processor expects them, spread round-robin over many sensors. Every event
 * has its own (SensorId, Timestamp) key — timestamps one millisecond apart —
 * because the processor keeps only the last of two readings with the same key,
 * and the bench counts every event it put.
 */
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

export interface BenchEvent {
  sensorId: string;
  timestamp: string;
  value: number;
  entry: PutRecordsRequestEntry;
}

export function sensorId(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(4, '0')}`;
}

/** Event `i` of a run: sensor `i mod sensors`, time `baseTime + i` ms. */
export function benchEvent(prefix: string, i: number, sensors: number, baseTime: number): BenchEvent {
  const id = sensorId(prefix, i % sensors);
  const timestamp = new Date(baseTime + i).toISOString();
  const value = Math.round(Math.sin(i / 50) * 1000) / 100 + 20;
  const data = Buffer.from(JSON.stringify({ sensorid: id, value, timestamp }), 'utf8');
  return { sensorId: id, timestamp, value, entry: { Data: data, PartitionKey: id } };
}

export function benchEvents(prefix: string, count: number, sensors: number, baseTime = Date.now()): BenchEvent[] {
  return Array.from({ length: count }, (_, i) => benchEvent(prefix, i, sensors, baseTime));
}

/** The key an event is stored under in SensorDataTable, as one string. */
export function itemKey(sensor: string, timestamp: string): string {
  return `${sensor}\u0000${timestamp}`;
}
