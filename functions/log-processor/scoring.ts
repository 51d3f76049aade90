/**
 * Scoring: CSV feature rows → SageMaker InvokeEndpoint calls of at most
 * `maxRowsPerCall` rows (and the payload limit), several in flight, scores mapped back by position
 * with the counts checked. Each call's scores are handed on as soon as they arrive, so the caller
 * can store the first rows while later ones are still being scored. A payload that cannot be
 * scored within the retry budget leaves its rows unscored; the caller reports those records as
 * failed so Kafka redelivers them.
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { withRetries, type Deadline, type RetryPolicy } from "./retry";

/** SageMaker real-time inference accepts request payloads up to 6 MB. */
export const SAGEMAKER_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Kept under the limit so headers and rounding never push a request over it. */
export const DEFAULT_MAX_PAYLOAD_BYTES = SAGEMAKER_MAX_PAYLOAD_BYTES - 64 * 1024;
/**
 * Rows per call: small enough that a batch is scored in several calls, so that storing starts
 * with the first call's rows, large enough that the per-call overhead stays small. Measured with
 * `npm run bench -- handler` (10,000 records) when it was chosen: 1,465 ms at 100 rows, 1,489 at
 * 50, 1,544 at 250, 1,767 in one call.
 */
export const DEFAULT_MAX_ROWS_PER_CALL = 100;

export interface Payload {
  /** Index of the first row of this payload in the batch. */
  readonly start: number;
  readonly rowCount: number;
  readonly body: string;
}

/**
 * Packs rows (in order) into newline-separated CSV bodies of at most `maxBytes` UTF-8 bytes and
 * `maxRows` rows each. A single row longer than `maxBytes` cannot be sent at all: that is a
 * programming error here (feature rows are ~100 bytes), so it throws.
 */
export function planPayloads(rows: readonly string[], maxBytes: number = DEFAULT_MAX_PAYLOAD_BYTES, maxRows: number = Number.POSITIVE_INFINITY): Payload[] {
  if (!(maxRows >= 1)) throw new RangeError(`maxRows must be at least 1, got ${maxRows}`);
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
    if (parts.length > 0 && (bytes + 1 + len > maxBytes || parts.length >= maxRows)) flush(i);
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
  /** Rows per InvokeEndpoint call at most. @default DEFAULT_MAX_ROWS_PER_CALL */
  readonly maxRowsPerCall?: number;
  /** Payloads in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Called with each payload's scores as soon as they arrive (rows `start` … `start + scores.length - 1`). */
  readonly onScored?: (start: number, scores: readonly number[]) => void;
  readonly onRetry?: (operation: string, error: unknown) => void;
}

export interface ScoringResult {
  /** One entry per input vector: its score, or undefined when its payload could not be scored. */
  readonly scores: (number | undefined)[];
  readonly calls: number;
  /** Errors of payloads that stayed unscored, for logging. */
  readonly errors: { readonly start: number; readonly rowCount: number; readonly error: unknown }[];
}

/** Scores CSV rows (lib/features featuresToCsvRow), one per record; the handler keeps each row in its item. */
export async function scoreRows(rows: readonly string[], o: ScoringOptions): Promise<ScoringResult> {
  const scores: (number | undefined)[] = new Array(rows.length).fill(undefined);
  const errors: ScoringResult["errors"] = [];
  if (rows.length === 0) return { scores, calls: 0, errors };
  const payloads = planPayloads(rows, o.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, o.maxRowsPerCall ?? DEFAULT_MAX_ROWS_PER_CALL);
  let calls = 0;
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) {
      const p = payloads[next++];
      let got: number[];
      try {
        got = await withRetries(
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
      } catch (error) {
        errors.push({ start: p.start, rowCount: p.rowCount, error });
        continue;
      }
      got.forEach((s, i) => (scores[p.start + i] = s));
      // Outside the try: a failing callback is the caller's bug, not an unscored payload.
      o.onScored?.(p.start, got);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, payloads.length) }, worker));
  return { scores, calls, errors };
}
