/**
 * Storage: items → DynamoDB with BatchWriteItem (25 puts per request, several requests in flight),
 * UnprocessedItems and throttled requests retried with jittered backoff within the budget. Keys
 * are de-duplicated first (last occurrence wins): BatchWriteItem rejects a whole request that
 * names one key twice. A request DynamoDB rejects as invalid falls back to PutItem per item, so
 * one bad item cannot take 24 good ones down with it.
 */
import { BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ItemKey, StoredLog } from "../../lib/scored-log";
import { backoffDelayMs, sleep, withRetries, type Deadline, type RetryPolicy } from "./retry";

/** BatchWriteItem's maximum number of put/delete requests per call. */
export const BATCH_WRITE_MAX_ITEMS = 25;

export function keyString(k: ItemKey): string {
  return `${k.pk}\u0000${k.sk}`;
}

/** Keeps the last item for each key, in the order of those last occurrences. */
export function dedupeByKey<T extends ItemKey>(items: readonly T[]): T[] {
  const last = new Map<string, number>();
  items.forEach((it, i) => last.set(keyString(it), i));
  return items.filter((it, i) => last.get(keyString(it)) === i);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface StorageOptions {
  readonly client: Pick<DynamoDBDocumentClient, "send">;
  readonly tableName: string;
  readonly deadline: Deadline;
  readonly policy: RetryPolicy;
  /** BatchWriteItem requests in flight at once. */
  readonly concurrency?: number;
  readonly onRetry?: (operation: string, error: unknown) => void;
  readonly random?: () => number;
}

export interface StorageResult {
  /** Keys written (after de-duplication). */
  readonly written: number;
  /** Items that could not be written within the budget, with why. */
  readonly failed: { readonly item: StoredLog; readonly error: unknown }[];
  readonly requests: number;
}

function isValidationError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { name?: string }).name === "ValidationException";
}

export async function writeItems(items: readonly StoredLog[], o: StorageOptions): Promise<StorageResult> {
  const unique = dedupeByKey(items);
  const failed: StorageResult["failed"] = [];
  let written = 0;
  let requests = 0;
  const chunks = chunk(unique, BATCH_WRITE_MAX_ITEMS);
  let next = 0;

  const putOneByOne = async (batch: StoredLog[]) => {
    for (const item of batch) {
      try {
        await withRetries(
          (abortSignal) => {
            requests++;
            return o.client.send(new PutCommand({ TableName: o.tableName, Item: item }), { abortSignal });
          },
          { operation: "PutItem", deadline: o.deadline, policy: o.policy, onRetry: (i) => o.onRetry?.(i.operation, i.error) },
        );
        written++;
      } catch (error) {
        failed.push({ item, error });
      }
    }
  };

  const writeChunk = async (batch: StoredLog[]) => {
    let pending = batch;
    for (let round = 1; pending.length > 0; round++) {
      let unprocessed: StoredLog[];
      try {
        const res = await withRetries(
          (abortSignal) => {
            requests++;
            return o.client.send(new BatchWriteCommand({ RequestItems: { [o.tableName]: pending.map((Item) => ({ PutRequest: { Item } })) } }), { abortSignal });
          },
          { operation: "BatchWriteItem", deadline: o.deadline, policy: o.policy, onRetry: (i) => o.onRetry?.(i.operation, i.error) },
        );
        unprocessed = (res.UnprocessedItems?.[o.tableName] ?? []).map((r) => r.PutRequest?.Item as StoredLog).filter((x): x is StoredLog => x !== undefined);
      } catch (error) {
        if (isValidationError(error) && pending.length > 1) return putOneByOne(pending);
        for (const item of pending) failed.push({ item, error });
        return;
      }
      written += pending.length - unprocessed.length;
      pending = unprocessed;
      if (pending.length === 0) return;
      // DynamoDB withheld some items (throttling or internal limits): back off, then resend them.
      const error = Object.assign(new Error(`${pending.length} item(s) returned as UnprocessedItems`), { name: "UnprocessedItems" });
      const delayMs = backoffDelayMs(round, o.policy, o.random);
      if (round >= o.policy.maxAttempts || delayMs >= o.deadline.remainingMs()) {
        for (const item of pending) failed.push({ item, error });
        return;
      }
      o.onRetry?.("BatchWriteItem.UnprocessedItems", error);
      await sleep(delayMs);
    }
  };

  const worker = async () => {
    while (next < chunks.length) await writeChunk(chunks[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 8, chunks.length) }, worker));
  return { written, failed, requests };
}

