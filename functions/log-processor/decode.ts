/**
 * Decoding: a Kafka record as Lambda delivers it (base64 key/value, headers as byte arrays) into
 * bytes and strings, then the value into a log event and its feature vector — or the reason it is
 * not one. Pure; never throws on bad input (bad input becomes a rejection, not an exception).
 */
import type { SelfManagedKafkaRecord } from "../../lib/kafka-event";
import { parseLogEvent, type LogEvent, type RejectReason } from "../../lib/log-event";
import { extractFeatures, featuresAreFinite } from "../../lib/features";
import type { KafkaCoordinates } from "../../lib/scored-log";

export interface DecodedRecord extends KafkaCoordinates {
  /** Message key as UTF-8 text (the producer's service name), if any. */
  readonly key?: string;
  /** Headers as UTF-8 text; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  /** The message value as received. */
  readonly raw: Buffer;
}

export interface ValidRecord {
  readonly ok: true;
  readonly record: DecodedRecord;
  readonly event: LogEvent;
  readonly features: number[];
}
export interface RejectedRecord {
  readonly ok: false;
  readonly record: DecodedRecord;
  readonly reason: RejectReason;
  readonly detail: string;
}
export type ClassifiedRecord = ValidRecord | RejectedRecord;

const lenientUtf8 = new TextDecoder("utf-8");

function bytesToText(bytes: readonly number[]): string {
  return lenientUtf8.decode(Uint8Array.from(bytes));
}

export function decodeRecord(r: SelfManagedKafkaRecord): DecodedRecord {
  const headers: Record<string, string> = {};
  for (const h of r.headers ?? []) {
    for (const [name, bytes] of Object.entries(h)) headers[name] = Array.isArray(bytes) ? bytesToText(bytes) : String(bytes);
  }
  return {
    topic: r.topic,
    // Documented as a number; a string "0" would still name the same partition.
    partition: Number(r.partition),
    offset: String(r.offset),
    kafkaTimestamp: Number(r.timestamp),
    key: r.key ? Buffer.from(r.key, "base64").toString("utf8") : undefined,
    headers,
    raw: r.value ? Buffer.from(r.value, "base64") : Buffer.alloc(0),
  };
}

/** Validates the value and extracts features with the same module the training script uses. */
export function classifyRecord(record: DecodedRecord, maxRecordBytes: number, features_: (e: LogEvent) => number[] = extractFeatures): ClassifiedRecord {
  const parsed = parseLogEvent(record.raw, maxRecordBytes);
  if (!parsed.ok) return { ok: false, record, reason: parsed.reason, detail: parsed.detail };
  // Valid events always give finite features today; the check guards future feature changes.
  const features = features_(parsed.event);
  if (!featuresAreFinite(features)) {
    return { ok: false, record, reason: "invalid-features", detail: `feature vector is not finite: [${features.join(", ")}]` };
  }
  return { ok: true, record, event: parsed.event, features };
}
