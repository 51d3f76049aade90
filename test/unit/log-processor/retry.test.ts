import { backoffDelayMs, Deadline, isTransientError, withRetries, type RetryPolicy } from "../../../functions/log-processor/retry";

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, requestTimeoutMs: 50 };

describe("retry budget", () => {
  it("uses full jitter under an exponential, capped ceiling", () => {
    expect(backoffDelayMs(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelayMs(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(0);
  });

  it("classifies throttling, 5xx and network errors as transient, client errors not", () => {
    expect(isTransientError({ $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isTransientError({ $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isTransientError({ name: "ProvisionedThroughputExceededException" })).toBe(true);
    expect(isTransientError({ code: "ECONNRESET" })).toBe(true);
    expect(isTransientError({ name: "AbortError" })).toBe(true);
    expect(isTransientError({ name: "ValidationException", $metadata: { httpStatusCode: 400 } })).toBe(false);
    expect(isTransientError("boom")).toBe(false);
  });

  it("stops at the attempt limit", async () => {
    let n = 0;
    const p = withRetries(async () => {
      n++;
      throw { $metadata: { httpStatusCode: 500 } };
    }, { operation: "op", deadline: new Deadline(Date.now() + 60_000), policy, sleep: async () => {} });
    await expect(p).rejects.toMatchObject({ name: "RetriesExhaustedError", attempts: 5 });
    expect(n).toBe(5);
  });

  it("stops before a backoff would pass the deadline", async () => {
    let now = 0;
    const deadline = new Deadline(150, () => now);
    let n = 0;
    const p = withRetries(async () => {
      n++;
      throw { $metadata: { httpStatusCode: 500 } };
    }, { operation: "op", deadline, policy, random: () => 0.99, sleep: async (ms) => void (now += ms) });
    await expect(p).rejects.toThrow(/deadline reached/);
    expect(n).toBe(2); // waits 99 ms, then a 198 ms wait would pass the 150 ms deadline
  });

  it("aborts a request at its timeout and retries it", async () => {
    let n = 0;
    const r = await withRetries(
      (signal) =>
        new Promise<string>((resolve, reject) => {
          n++;
          if (n === 2) return resolve("ok");
          signal.addEventListener("abort", () => reject(signal.reason));
        }),
      { operation: "op", deadline: new Deadline(Date.now() + 5000), policy, sleep: async () => {} },
    );
    expect(r).toBe("ok");
    expect(n).toBe(2);
  });

  it("rethrows non-transient errors at once", async () => {
    let n = 0;
    await expect(withRetries(async () => { n++; throw new TypeError("bug"); }, { operation: "op", deadline: new Deadline(Date.now() + 5000), policy })).rejects.toThrow(TypeError);
    expect(n).toBe(1);
  });
});
