/**
 * The event AWS Lambda delivers for a self-managed Apache Kafka event source mapping, typed as
 * AWS documents it ("Using Lambda with self-managed Apache Kafka", example event), plus a builder
 * that turns Kafka records (e.g. what kafkajs hands a consumer) into exactly that shape, so the
 * local pipeline's poller invokes the handler with the same bytes Lambda would.
 *
 * Also the partial batch response for Kafka event sources (`ReportBatchItemFailures`, honoured by
 * Lambda only for event source mappings in provisioned mode): each failure names the
 * `topic-partition` key of `records` and the offset to resume from.
 */

export const SELF_MANAGED_KAFKA_EVENT_SOURCE = "SelfManagedKafka" as const;

export type KafkaTimestampType = "CREATE_TIME" | "LOG_APPEND_TIME";

/** One header as Lambda sends it: a single-key object, the value as an array of byte values. */
export type KafkaRecordHeader = Readonly<Record<string, readonly number[]>>;

export interface SelfManagedKafkaRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are int64; Lambda sends them as JSON numbers. */
  readonly offset: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly timestampType: KafkaTimestampType;
  /** Base64 of the message key; absent when the message has no key. */
  readonly key?: string;
  /** Base64 of the message value; absent (or null) for a tombstone. */
  readonly value?: string | null;
  readonly headers: readonly KafkaRecordHeader[];
}

export interface SelfManagedKafkaEvent {
  readonly eventSource: typeof SELF_MANAGED_KAFKA_EVENT_SOURCE;
  /** Comma-separated host:port list of the cluster's bootstrap servers. */
  readonly bootstrapServers: string;
  /** Records grouped by `"<topic>-<partition>"`, each group in offset order. */
  readonly records: Readonly<Record<string, readonly SelfManagedKafkaRecord[]>>;
}

/** Key of `records` for one topic partition. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Partial batch response item for Kafka: resume `partition` (a `records` key) at `offset`. */
export interface KafkaItemIdentifier {
  readonly partition: string;
  readonly offset: number;
}
export interface KafkaBatchItemFailure {
  readonly itemIdentifier: KafkaItemIdentifier;
}
export interface KafkaBatchResponse {
  readonly batchItemFailures: readonly KafkaBatchItemFailure[];
}

type Bytes = Buffer | Uint8Array | string;

/** A Kafka record as a client library hands it over (kafkajs' message fields fit). */
export interface KafkaRecordInput {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string | number | bigint;
  /** Epoch milliseconds (kafkajs gives a decimal string). */
  readonly timestamp: string | number;
  readonly timestampType?: KafkaTimestampType;
  readonly key?: Bytes | null;
  readonly value: Bytes | null;
  /** Header name → value(s); arrays become repeated headers, in order. */
  readonly headers?: Readonly<Record<string, Bytes | readonly Bytes[] | undefined>>;
}

function toBuffer(b: Bytes): Buffer {
  return typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** One record in Lambda's shape. */
export function toSelfManagedKafkaRecord(r: KafkaRecordInput): SelfManagedKafkaRecord {
  const offset = Number(r.offset);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative safe integer, got ${r.offset}`);
  const timestamp = Number(r.timestamp);
  if (!Number.isFinite(timestamp)) throw new RangeError(`timestamp must be epoch milliseconds, got ${r.timestamp}`);
  const headers: KafkaRecordHeader[] = [];
  for (const [name, v] of Object.entries(r.headers ?? {})) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? (v as readonly Bytes[]) : [v as Bytes];
    for (const one of values) headers.push({ [name]: Array.from(toBuffer(one)) });
  }
  const out: { -readonly [K in keyof SelfManagedKafkaRecord]: SelfManagedKafkaRecord[K] } = {
    topic: r.topic,
    partition: r.partition,
    offset,
    timestamp,
    timestampType: r.timestampType ?? "CREATE_TIME",
    headers,
  };
  if (r.key !== undefined && r.key !== null) out.key = toBuffer(r.key).toString("base64");
  if (r.value !== null) out.value = toBuffer(r.value).toString("base64");
  return out;
}

/**
 * Builds the event Lambda would deliver for these records: grouped by topic-partition in the
 * order first seen, offsets ascending within a group (as Lambda reads a partition sequentially).
 */
export function buildSelfManagedKafkaEvent(records: readonly KafkaRecordInput[], bootstrapServers: string | readonly string[]): SelfManagedKafkaEvent {
  const groups: Record<string, SelfManagedKafkaRecord[]> = {};
  for (const r of records) {
    const k = topicPartitionKey(r.topic, r.partition);
    (groups[k] ??= []).push(toSelfManagedKafkaRecord(r));
  }
  for (const g of Object.values(groups)) g.sort((a, b) => a.offset - b.offset);
  return {
    eventSource: SELF_MANAGED_KAFKA_EVENT_SOURCE,
    bootstrapServers: typeof bootstrapServers === "string" ? bootstrapServers : bootstrapServers.join(","),
    records: groups,
  };
}

/** Every record of the event, group by group. */
export function eventRecords(event: SelfManagedKafkaEvent): SelfManagedKafkaRecord[] {
  return Object.values(event.records ?? {}).flat();
}

/** True when `value` has the documented shape (used to reject foreign events loudly). */
export function isSelfManagedKafkaEvent(value: unknown): value is SelfManagedKafkaEvent {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  return e.eventSource === SELF_MANAGED_KAFKA_EVENT_SOURCE && typeof e.records === "object" && e.records !== null && !Array.isArray(e.records);
}
