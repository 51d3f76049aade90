/**
 * Scoring: feature vectors → CSV rows → as few SageMaker InvokeEndpoint calls as the payload
 * limit allows (one call for a typical batch), scores mapped back by position with the counts
 * checked. A payload that cannot be scored within the retry budget leaves its rows unscored; the
 * caller reports those records as failed so Kafka redelivers them.
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { featuresToCsvRow } from "../../lib/features";
import { withRetries, type Deadline, type RetryPolicy } from "./retry";

/** SageMaker real-time inference accepts request payloads up to 6 MB. */
export const SAGEMAKER_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Kept under the limit so headers and rounding never push a request over it. */
export const DEFAULT_MAX_PAYLOAD_BYTES = SAGEMAKER_MAX_PAYLOAD_BYTES - 64 * 1024;

export interface Payload {
  /** Index of the first row of this payload in the batch. */
  readonly start: number;
  readonly rowCount: number;
  readonly body: string;
}

/**
 * Packs rows (in order) into newline-separated CSV bodies of at most `maxBytes` UTF-8 bytes each.
 * A single row longer than `maxBytes` cannot be sent at all: that is a programming error here
 * (feature rows are ~100 bytes), so it throws.
 */
export function planPayloads(rows: readonly string[], maxBytes: number = DEFAULT_MAX_PAYLOAD_BYTES): Payload[] {
  const out: Payload[] = [];
  let start = 0;
  let bytes = 0;
  let parts: string[] = [];
  const flush = (end: number) => {
    if (parts.length > 0) out.push({ start, rowCount: end - start, body: parts.join("\n") });
    parts = [];
    bytes = 0;
    start = end;
  };
  rows.forEach((row, i) => {
    const len = Buffer.byteLength(row);
    if (len > maxBytes) throw new RangeError(`row ${i} is ${len} bytes, over the ${maxBytes}-byte payload limit`);
    if (parts.length > 0 && bytes + 1 + len > maxBytes) flush(i);
    bytes += parts.length > 0 ? len + 1 : len;
    parts.push(row);
  });
  flush(rows.length);
  return out;
}

export class ScoringResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScoringResponseError";
  }
}

/** Parses `{"scores":[{"score":x},...]}` and checks there is one finite score per row sent. */
export function parseScores(body: Uint8Array | string, expected: number): number[] {
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ScoringResponseError(`endpoint answer is not JSON: ${text.slice(0, 200)}`);
  }
  const scores = (parsed as { scores?: unknown })?.scores;
  if (!Array.isArray(scores)) throw new ScoringResponseError(`endpoint answer has no "scores" array`);
  if (scores.length !== expected) throw new ScoringResponseError(`endpoint returned ${scores.length} scores for ${expected} rows`);
  return scores.map((s, i) => {
    const v = (s as { score?: unknown })?.score;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ScoringResponseError(`score ${i} is not a finite number: ${JSON.stringify(s)}`);
    return v;
  });
}

export interface ScoringOptions {
  readonly client: Pick<SageMakerRuntimeClient, "send">;
  readonly endpointName: string;
  readonly deadline: Deadline;
  readonly policy: RetryPolicy;
  readonly maxPayloadBytes?: number;
  /** Payloads in flight at once. */
  readonly concurrency?: number;
  readonly onRetry?: (operation: string, error: unknown) => void;
}

export interface ScoringResult {
  /** One entry per input vector: its score, or undefined when its payload could not be scored. */
  readonly scores: (number | undefined)[];
  readonly calls: number;
  /** Errors of payloads that stayed unscored, for logging. */
  readonly errors: { readonly start: number; readonly rowCount: number; readonly error: unknown }[];
}

export async function scoreFeatures(vectors: readonly (readonly number[])[], o: ScoringOptions): Promise<ScoringResult> {
  const scores: (number | undefined)[] = new Array(vectors.length).fill(undefined);
  const errors: ScoringResult["errors"] = [];
  if (vectors.length === 0) return { scores, calls: 0, errors };
  const payloads = planPayloads(vectors.map(featuresToCsvRow), o.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES);
  let calls = 0;
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) {
      const p = payloads[next++];
      try {
        const got = await withRetries(
          async (abortSignal) => {
            calls++;
            const res = await o.client.send(
              new InvokeEndpointCommand({ EndpointName: o.endpointName, ContentType: "text/csv", Accept: "application/json", Body: Buffer.from(p.body) }),
              { abortSignal },
            );
            return parseScores(res.Body as Uint8Array, p.rowCount);
          },
          { operation: "InvokeEndpoint", deadline: o.deadline, policy: o.policy, onRetry: (i) => o.onRetry?.(i.operation, i.error) },
        );
        got.forEach((s, i) => (scores[p.start + i] = s));
      } catch (error) {
        errors.push({ start: p.start, rowCount: p.rowCount, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, payloads.length) }, worker));
  return { scores, calls, errors };
}
