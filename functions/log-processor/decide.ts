/**
 * Decide and shape: the anomaly threshold, and the DynamoDB items (lib/scored-log.ts shapes) for
 * scored and rejected records. Pure.
 */
import { itemKey, ttlEpochSeconds, utcDay, type RejectedLog, type ScoredLog } from "../../lib/scored-log";
import type { LogEvent, RejectReason } from "../../lib/log-event";
import type { DecodedRecord } from "./decode";

/** DynamoDB's item size limit (names and values together). */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;
/** Above this estimated size a rejected record's raw value goes to S3 instead of the item. */
export const MAX_INLINE_ITEM_BYTES = 350 * 1024;
/** Headers larger than this make a record a rejection: they could not be stored with it. */
export const MAX_HEADER_BYTES = 64 * 1024;

export interface ScoreStatistics {
  readonly mean: number;
  readonly stddev: number;
}

/**
 * The anomaly threshold: the configured one when it is > 0; otherwise mean + sigmas × stddev of
 * the scores the training script recorded for the model.
 */
export function resolveThreshold(configured: number, sigmas: number, stats?: ScoreStatistics): number {
  if (!Number.isFinite(configured) || configured < 0) throw new RangeError(`threshold must be a number >= 0, got ${configured}`);
  if (configured > 0) return configured;
  if (!stats) throw new RangeError("threshold is 0 (derive from the model) but no score statistics were given");
  if (!Number.isFinite(stats.mean) || !Number.isFinite(stats.stddev) || stats.stddev < 0) {
    throw new RangeError(`score statistics must be finite with stddev >= 0, got ${JSON.stringify(stats)}`);
  }
  const t = stats.mean + sigmas * stats.stddev;
  if (!(t > 0)) throw new RangeError(`derived threshold ${t} is not > 0`);
  return t;
}

export function headerBytes(headers: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

export function buildScoredLog(r: DecodedRecord, event: LogEvent, featuresCsv: string, score: number, threshold: number, now: Date, ttlDays: number): ScoredLog {
  const anomaly = score > threshold;
  const key = itemKey(r.topic, r.partition, r.offset);
  // One object literal, no spreads: building 10,000 of these is on the handler's hot path, and
  // spreading into a 20-property object is ~15x slower in V8.
  return {
    pk: key.pk,
    sk: key.sk,
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    kafkaTimestamp: r.kafkaTimestamp,
    headers: r.headers,
    expiresAt: ttlEpochSeconds(now, ttlDays),
    status: "scored",
    event,
    eventTime: event.timestamp,
    service: event.service,
    endpoint: event.endpoint,
    featuresCsv,
    score,
    threshold,
    anomaly,
    // Sparse index: only anomalies carry anomalyDay (undefined attributes are not written).
    anomalyDay: anomaly ? utcDay(event.timestamp) : undefined,
    scoredAt: now.toISOString(),
  };
}

export interface RejectedItemPlan {
  readonly item: RejectedLog;
  /** Set when the raw value is too large for the item and must be written to S3 first. */
  readonly s3?: { readonly key: string; readonly body: Buffer };
}

/** S3 key of a dead-lettered raw value: deterministic, so a redelivery overwrites it. */
export function deadLetterKey(prefix: string, r: Pick<DecodedRecord, "topic" | "partition" | "offset">): string {
  const p = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
  return `${p}${encodeURIComponent(r.topic)}/${r.partition}/${itemKey(r.topic, r.partition, r.offset).sk}.bin`;
}

export function buildRejectedLog(
  r: DecodedRecord,
  reason: RejectReason,
  detail: string,
  now: Date,
  ttlDays: number,
  deadLetter: { readonly bucket: string; readonly prefix: string },
): RejectedItemPlan {
  let headers = r.headers;
  let why = detail.slice(0, 2000);
  if (headerBytes(headers) > MAX_HEADER_BYTES) {
    why = `${why} (headers of ${headerBytes(headers)} bytes omitted)`;
    headers = {};
  }
  const base: RejectedLog = {
    ...itemKey(r.topic, r.partition, r.offset),
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    kafkaTimestamp: r.kafkaTimestamp,
    headers,
    expiresAt: ttlEpochSeconds(now, ttlDays),
    status: "rejected",
    reason,
    detail: why,
    rawBytes: r.raw.length,
    rejectedAt: now.toISOString(),
  };
  const rawBase64 = r.raw.toString("base64");
  if (JSON.stringify(base).length + rawBase64.length + 32 <= MAX_INLINE_ITEM_BYTES) {
    return { item: { ...base, rawBase64 } };
  }
  const key = deadLetterKey(deadLetter.prefix, r);
  return { item: { ...base, rawLocation: `s3://${deadLetter.bucket}/${key}` }, s3: { key, body: r.raw } };
}
