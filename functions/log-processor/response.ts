/**
 * How the invocation reports records it could not store. With ReportBatchItemFailures (which
 * Lambda honours for Kafka event sources only in provisioned mode) the answer names, per
 * topic-partition, the lowest offset not stored: Lambda resumes there, so that record and every
 * later one of that partition is redelivered (stored ones overwrite themselves: same key).
 * Without it, the only way to get a redelivery is to fail the invocation: Lambda then retries the
 * whole batch. Either way nothing is acknowledged that was not stored.
 */
import { topicPartitionKey, type KafkaBatchResponse } from "../../lib/kafka-event";
import type { FailedRecord } from "./process-batch";

export function batchItemFailures(failed: readonly FailedRecord[]): KafkaBatchResponse {
  const lowest = new Map<string, bigint>();
  for (const f of failed) {
    const k = topicPartitionKey(f.topic, f.partition);
    const o = BigInt(f.offset);
    const cur = lowest.get(k);
    if (cur === undefined || o < cur) lowest.set(k, o);
  }
  return {
    batchItemFailures: [...lowest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([partition, offset]) => ({ itemIdentifier: { partition, offset: Number(offset) } })),
  };
}

export class BatchNotStoredError extends Error {
  constructor(readonly failed: readonly FailedRecord[]) {
    const first = failed[0];
    super(`${failed.length} record(s) not stored (first: ${first.topic}-${first.partition}@${first.offset}, ${first.stage}: ${first.error}); failing the invocation so Kafka redelivers the batch`);
    this.name = "BatchNotStoredError";
  }
}
