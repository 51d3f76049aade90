/**
 * What the pipeline stores: the scored-log table's key schema (one source for the Terraform
 * table, the local DynamoDB in tests and the local pipeline) and the two item shapes it holds —
 * a scored log, and a rejected (dead-lettered) record.
 *
 * Key design: pk = "<topic>#<partition>", sk = the offset zero-padded to 20 digits. A record that
 * Kafka redelivers maps to the same key and overwrites itself; a partition's items sort by offset.
 * The offset is a string because Kafka offsets are int64 and JS numbers are exact only to 2^53.
 */
import type { LogEvent, RejectReason } from "./log-event";

export type KeyType = "S" | "N" | "B";
export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export const LOG_TABLE = {
  partitionKey: { name: "pk", type: "S" } as KeyAttribute,
  sortKey: { name: "sk", type: "S" } as KeyAttribute,
  /** Epoch seconds after which DynamoDB deletes the item. */
  ttlAttribute: "expiresAt",
  /**
   * Sparse GSI: only anomalies carry `anomalyDay`, so the index lists anomalies (and nothing
   * else) by time for the dashboard. Day buckets keep a partition's size bounded.
   */
  anomalyIndex: {
    name: "anomalies-by-time",
    partitionKey: { name: "anomalyDay", type: "S" } as KeyAttribute,
    sortKey: { name: "eventTime", type: "S" } as KeyAttribute,
  },
} as const;

/** Every attribute that appears in a key (table or index), for AttributeDefinitions. */
export function keyAttributes(): KeyAttribute[] {
  const all = [LOG_TABLE.partitionKey, LOG_TABLE.sortKey, LOG_TABLE.anomalyIndex.partitionKey, LOG_TABLE.anomalyIndex.sortKey];
  return all.filter((a, i) => all.findIndex((b) => b.name === a.name) === i);
}

/** Where a record came from: enough to find it again in Kafka. */
export interface KafkaCoordinates {
  readonly topic: string;
  readonly partition: number;
  /** int64 as a decimal string. */
  readonly offset: string;
  /** Kafka record timestamp, epoch milliseconds. */
  readonly kafkaTimestamp: number;
}

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export function itemKey(topic: string, partition: number, offset: string | number | bigint): ItemKey {
  const o = BigInt(offset);
  if (o < 0n) throw new RangeError(`offset must be >= 0, got ${offset}`);
  return { pk: `${topic}#${partition}`, sk: o.toString().padStart(20, "0") };
}

interface StoredBase extends ItemKey, KafkaCoordinates {
  /** Kafka headers as UTF-8 strings (e.g. the producer's anomaly-kind tag). */
  readonly headers: Readonly<Record<string, string>>;
  /** TTL, epoch seconds. */
  readonly expiresAt: number;
}

export interface ScoredLog extends StoredBase {
  readonly status: "scored";
  readonly event: LogEvent;
  /** Event time (event.timestamp), repeated at top level for indexes and the dashboard. */
  readonly eventTime: string;
  readonly service: string;
  readonly endpoint: string;
  /**
   * The model input exactly as scored: the CSV row sent to the endpoint (lib/features
   * featuresToCsvRow, FEATURE_NAMES order), so an item can be re-scored by sending it as is.
   * One string rather than a list of numbers: cheaper to marshal and to store.
   */
  readonly featuresCsv: string;
  readonly score: number;
  readonly threshold: number;
  readonly anomaly: boolean;
  /** Set only when `anomaly` (sparse index), the UTC day of eventTime: YYYY-MM-DD. */
  readonly anomalyDay?: string;
  /** When the handler stored it, ISO 8601. */
  readonly scoredAt: string;
}

export interface RejectedLog extends StoredBase {
  readonly status: "rejected";
  readonly reason: RejectReason;
  readonly detail: string;
  /** The message value as received (base64), unless it was too large for an item. */
  readonly rawBase64?: string;
  readonly rawBytes: number;
  /** s3://bucket/key of the raw value when it was too large to keep in the item. */
  readonly rawLocation?: string;
  readonly rejectedAt: string;
}

export type StoredLog = ScoredLog | RejectedLog;

export function ttlEpochSeconds(now: Date, ttlDays: number): number {
  return Math.floor(now.getTime() / 1000) + ttlDays * 86400;
}

export function utcDay(isoTimestamp: string): string {
  return isoTimestamp.slice(0, 10);
}
