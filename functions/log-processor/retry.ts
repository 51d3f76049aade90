/**
 * Bounded retries for transient failures (throttling, 5xx, timeouts, dropped connections).
 * Every retry is bounded twice: by a maximum number of attempts, and by the invocation's
 * deadline (Lambda's remaining time less a safety margin), so the handler always gets to answer
 * — and report what it could not store — before Lambda kills it.
 */

export interface RetryPolicy {
  /** Attempts per operation, the first included. */
  readonly maxAttempts: number;
  /** Backoff base and cap (full jitter: a uniform delay in [0, min(cap, base * 2^retry))). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Upper bound of one request; shortened further when the deadline is nearer. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 2000, requestTimeoutMs: 10_000 };

/** The point in time by which the invocation must have its answer ready. */
export class Deadline {
  constructor(
    readonly endsAt: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** From Lambda's context: remaining time less `marginMs` kept for logging and the response. */
  static fromRemainingTime(remainingMs: number, marginMs: number, clock: () => number = Date.now): Deadline {
    return new Deadline(clock() + Math.max(0, remainingMs - marginMs), clock);
  }

  remainingMs(): number {
    return this.endsAt - this.clock();
  }
}

/** Full-jitter exponential backoff delay before retry number `retry` (1-based). */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

const TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "InternalServerError",
  "InternalFailure",
  "InternalServerException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "SlowDown",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "AbortError",
  "ModelNotReadyException",
]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED", "UND_ERR_SOCKET"]);

/** Whether retrying the same request may succeed. */
export function isTransientError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; cause?: unknown };
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  if (e.$retryable) return true;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  return e.cause !== undefined && e.cause !== err && isTransientError(e.cause);
}

export class RetriesExhaustedError extends Error {
  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly lastError: unknown,
    reason: string,
  ) {
    super(`${operation}: ${reason} after ${attempts} attempt(s): ${lastError instanceof Error ? lastError.message : String(lastError)}`);
    this.name = "RetriesExhaustedError";
  }
}

export interface RetryOptions {
  readonly operation: string;
  readonly deadline: Deadline;
  readonly policy: RetryPolicy;
  /** Called before each retry (metrics, logs). */
  readonly onRetry?: (info: { operation: string; retry: number; delayMs: number; error: unknown }) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `op` until it succeeds, fails with a non-transient error (rethrown as is), or the budget
 * (attempts or deadline) is spent (RetriesExhaustedError). `op` gets an AbortSignal that fires
 * at the request timeout or the deadline, whichever is first.
 */
export async function withRetries<T>(op: (signal: AbortSignal) => Promise<T>, o: RetryOptions): Promise<T> {
  const wait = o.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    const budgetMs = Math.min(o.policy.requestTimeoutMs, o.deadline.remainingMs());
    if (budgetMs <= 0) throw new RetriesExhaustedError(o.operation, attempt - 1, new Error("no time left"), "deadline reached");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(Object.assign(new Error(`request timed out after ${budgetMs} ms`), { name: "TimeoutError" })), budgetMs);
    try {
      return await op(controller.signal);
    } catch (err) {
      if (!isTransientError(err)) throw err;
      if (attempt >= o.policy.maxAttempts) throw new RetriesExhaustedError(o.operation, attempt, err, "retry budget spent");
      const delayMs = backoffDelayMs(attempt, o.policy, o.random);
      if (delayMs >= o.deadline.remainingMs()) throw new RetriesExhaustedError(o.operation, attempt, err, "deadline reached");
      o.onRetry?.({ operation: o.operation, retry: attempt, delayMs, error: err });
      await wait(delayMs);
    } finally {
      clearTimeout(timer);
    }
  }
}
