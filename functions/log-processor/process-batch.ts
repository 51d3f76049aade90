/**
 * One batch, end to end: decode → validate/features → score → decide → store. Poison records are
 * dead-lettered (a `rejected` item in the same table, the raw value in S3 when too large for an
 * item) and every record accounted for: stored once, dead-lettered once, or reported as failed so
 * Kafka redelivers it. Storing does not wait for the whole batch to be scored: the rejected
 * records are written at once, each scoring call's rows as soon as its scores arrive. Nothing here
 * throws for bad input; only the caller decides how to report failures.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SelfManagedKafkaRecord } from "../../lib/kafka-event";
import type { LogEvent, RejectReason } from "../../lib/log-event";
import { keyString, writeItems, type StorageResult } from "./storage";
import { classifyRecord, decodeRecord, type DecodedRecord, type ValidRecord } from "./decode";
import { buildRejectedLog, buildScoredLog, headerBytes, MAX_HEADER_BYTES } from "./decide";
import { scoreRows } from "./scoring";
import { featuresToCsvRow } from "../../lib/features";
import { withRetries, type Deadline, type RetryPolicy } from "./retry";
import { itemKey, type StoredLog } from "../../lib/scored-log";

export interface ProcessorDeps {
  readonly sagemaker: Pick<SageMakerRuntimeClient, "send">;
  readonly dynamodb: Pick<DynamoDBDocumentClient, "send">;
  readonly s3: Pick<S3Client, "send">;
  readonly endpointName: string;
  readonly tableName: string;
  readonly deadLetterBucket: string;
  readonly deadLetterPrefix: string;
  readonly threshold: number;
  readonly maxRecordBytes: number;
  readonly ttlDays: number;
  readonly deadline: Deadline;
  readonly policy: RetryPolicy;
  readonly now?: () => Date;
  /** The feature function; tests replace it to exercise the non-finite-features path. */
  readonly extractFeatures?: (e: LogEvent) => number[];
  readonly maxPayloadBytes?: number;
  readonly maxRowsPerCall?: number;
  readonly scoringConcurrency?: number;
  /** BatchWriteItem requests in flight per group of items stored together (a scoring call's rows, say). */
  readonly writeConcurrency?: number;
  /** Called once per retry of any remote call (for the `retries` metric). */
  readonly onRetry?: (operation: string, error: unknown) => void;
  readonly log?: { warn(msg: string, ...extra: Record<string, unknown>[]): void; error(msg: string, ...extra: Record<string, unknown>[]): void };
}

/** A record that is neither stored nor dead-lettered: Kafka must deliver it again. */
export interface FailedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly stage: "scoring" | "dead-letter" | "storage";
  readonly error: string;
}

export interface BatchOutcome {
  readonly records: number;
  readonly scored: number;
  readonly anomalies: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Partial<Record<RejectReason, number>>>;
  readonly failed: readonly FailedRecord[];
  readonly scoringCalls: number;
  readonly writeRequests: number;
}

function message(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export async function processBatch(records: readonly SelfManagedKafkaRecord[], deps: ProcessorDeps): Promise<BatchOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const decoded: DecodedRecord[] = records.map(decodeRecord);
  const byKey = new Map<string, DecodedRecord>();
  for (const r of decoded) byKey.set(keyString(itemKey(r.topic, r.partition, r.offset)), r);

  const valid: ValidRecord[] = [];
  const items: StoredLog[] = [];
  const s3Writes: { key: string; body: Buffer; record: DecodedRecord; item: StoredLog }[] = [];
  const rejectedByReason: Partial<Record<RejectReason, number>> = {};
  const failed: FailedRecord[] = [];
  const deadLetter = { bucket: deps.deadLetterBucket, prefix: deps.deadLetterPrefix };

  const reject = (r: DecodedRecord, reason: RejectReason, detail: string) => {
    const plan = buildRejectedLog(r, reason, detail, now, deps.ttlDays, deadLetter);
    if (plan.s3) s3Writes.push({ ...plan.s3, record: r, item: plan.item });
    else items.push(plan.item);
  };

  for (const r of decoded) {
    const c = classifyRecord(r, deps.maxRecordBytes, deps.extractFeatures);
    if (!c.ok) reject(r, c.reason, c.detail);
    else if (headerBytes(r.headers) > MAX_HEADER_BYTES) reject(r, "too-large", `headers are ${headerBytes(r.headers)} bytes, over ${MAX_HEADER_BYTES}`);
    else valid.push(c);
  }

  const storage = {
    client: deps.dynamodb,
    tableName: deps.tableName,
    deadline: deps.deadline,
    policy: deps.policy,
    concurrency: deps.writeConcurrency,
    onRetry: deps.onRetry,
  };
  const writes: Promise<StorageResult>[] = [];
  const store = (group: StoredLog[]) => {
    if (group.length === 0) return;
    const w = writeItems(group, storage);
    // Awaited below, after scoring; a rejection must not count as unhandled until then.
    w.catch(() => undefined);
    writes.push(w);
  };
  // Rejected records need no score (those bound for S3 go after their object, below).
  store([...items]);

  // Score in calls of a limited size; each call's rows are stored as soon as its scores are in.
  // Each row is built once: it is both the request body's line and the item's featuresCsv.
  const rows = valid.map((v) => featuresToCsvRow(v.features));
  const scoring = await scoreRows(
    rows,
    {
      client: deps.sagemaker,
      endpointName: deps.endpointName,
      deadline: deps.deadline,
      policy: deps.policy,
      maxPayloadBytes: deps.maxPayloadBytes,
      maxRowsPerCall: deps.maxRowsPerCall,
      concurrency: deps.scoringConcurrency,
      onRetry: deps.onRetry,
      onScored: (start, scores) => {
        const group = scores.map((score, j) => {
          const v = valid[start + j];
          return buildScoredLog(v.record, v.event, rows[start + j], score, deps.threshold, now, deps.ttlDays);
        });
        items.push(...group);
        store(group);
      },
    },
  );
  for (const e of scoring.errors) deps.log?.error("scoring failed; records will be redelivered", { start: e.start, rows: e.rowCount, error: message(e.error) });
  valid.forEach((v, i) => {
    if (scoring.scores[i] !== undefined) return;
    const e = scoring.errors.find((x) => i >= x.start && i < x.start + x.rowCount);
    failed.push({ topic: v.record.topic, partition: v.record.partition, offset: v.record.offset, stage: "scoring", error: message(e?.error) });
  });

  // Raw values too large for an item go to S3 first; the item pointing at them is written only after.
  const afterS3: StoredLog[] = [];
  await Promise.all(
    s3Writes.map(async (w) => {
      try {
        await withRetries(
          (abortSignal) =>
            deps.s3.send(
              new PutObjectCommand({
                Bucket: deps.deadLetterBucket,
                Key: w.key,
                Body: w.body,
                ContentType: "application/octet-stream",
                Metadata: { topic: w.record.topic, partition: String(w.record.partition), offset: w.record.offset },
              }),
              { abortSignal },
            ),
          { operation: "PutObject", deadline: deps.deadline, policy: deps.policy, onRetry: (i) => deps.onRetry?.(i.operation, i.error) },
        );
        items.push(w.item);
        afterS3.push(w.item);
      } catch (error) {
        deps.log?.error("dead-letter object not written; record will be redelivered", { key: w.key, error: message(error) });
        failed.push({ topic: w.record.topic, partition: w.record.partition, offset: w.record.offset, stage: "dead-letter", error: message(error) });
      }
    }),
  );

  store(afterS3);

  const results = await Promise.all(writes);
  const stored = { failed: results.flatMap((r) => r.failed), requests: results.reduce((n, r) => n + r.requests, 0) };
  const failedKeys = new Set<string>();
  for (const f of stored.failed) {
    const k = keyString(f.item);
    if (failedKeys.has(k)) continue;
    failedKeys.add(k);
    const r = byKey.get(k)!;
    failed.push({ topic: r.topic, partition: r.partition, offset: r.offset, stage: "storage", error: message(f.error) });
  }
  if (stored.failed.length > 0) deps.log?.error("items not stored; records will be redelivered", { count: stored.failed.length, error: message(stored.failed[0].error) });

  // Count what is durably stored, by distinct key (a record delivered twice in one batch counts once).
  let scored = 0;
  let anomalies = 0;
  let rejected = 0;
  const seen = new Set<string>();
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    const k = keyString(it);
    if (seen.has(k) || failedKeys.has(k)) continue;
    seen.add(k);
    if (it.status === "scored") {
      scored++;
      if (it.anomaly) anomalies++;
    } else {
      rejected++;
      rejectedByReason[it.reason] = (rejectedByReason[it.reason] ?? 0) + 1;
    }
  }
  return { records: records.length, scored, anomalies, rejected, rejectedByReason, failed, scoringCalls: scoring.calls, writeRequests: stored.requests };
}
