import { mockClient } from "aws-sdk-client-mock";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_ROWS_PER_CALL, parseScores, planPayloads, scoreRows } from "../../../functions/log-processor/scoring";
import { Deadline, type RetryPolicy } from "../../../functions/log-processor/retry";
import { featuresToCsvRow } from "../../../lib/features";

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2, requestTimeoutMs: 1000 };
const body = (scores: number[]) => new TextEncoder().encode(JSON.stringify({ scores: scores.map((score) => ({ score })) }));
const throttled = () => Object.assign(new Error("slow down"), { name: "ThrottlingException", $metadata: { httpStatusCode: 429 } });

describe("planPayloads", () => {
  it("keeps everything in one payload when it fits", () => {
    const rows = ["1,2", "3,4", "5,6"];
    expect(planPayloads(rows, 1000)).toEqual([{ start: 0, rowCount: 3, body: "1,2\n3,4\n5,6" }]);
  });
  it("splits in order under the byte limit, never mid-row", () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i},${i}`); // 3 bytes each
    const ps = planPayloads(rows, 11); // 3 rows = 3*3+2 = 11 bytes
    expect(ps.map((p) => p.rowCount)).toEqual([3, 3, 3, 1]);
    expect(ps.every((p) => Buffer.byteLength(p.body) <= 11)).toBe(true);
    expect(ps.map((p) => p.body).join("\n")).toBe(rows.join("\n"));
    expect(ps.map((p) => p.start)).toEqual([0, 3, 6, 9]);
  });
  it("throws for a row that can never fit", () => {
    expect(() => planPayloads(["123456"], 5)).toThrow(/over the 5-byte/);
  });
  it("also splits at the row limit, whichever limit comes first", () => {
    const rows = Array.from({ length: 7 }, (_, i) => `${i}`);
    expect(planPayloads(rows, 1000, 3).map((p) => [p.start, p.rowCount])).toEqual([[0, 3], [3, 3], [6, 1]]);
    expect(planPayloads(rows, 3, 3).map((p) => p.rowCount)).toEqual([2, 2, 2, 1]);
    expect(() => planPayloads(rows, 1000, 0)).toThrow(/maxRows must be at least 1/);
  });
  it("by default scores a batch of 500 in calls of DEFAULT_MAX_ROWS_PER_CALL rows", () => {
    const rows = Array.from({ length: 500 }, () => "1,2,3");
    expect(planPayloads(rows, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_ROWS_PER_CALL).map((p) => p.rowCount)).toEqual(Array(500 / DEFAULT_MAX_ROWS_PER_CALL).fill(DEFAULT_MAX_ROWS_PER_CALL));
  });
});

describe("parseScores", () => {
  it("maps scores by position", () => expect(parseScores(body([0.5, 2]), 2)).toEqual([0.5, 2]));
  it("rejects a count mismatch", () => expect(() => parseScores(body([1]), 2)).toThrow(/1 scores for 2 rows/));
  it("rejects non-finite or missing scores", () => {
    expect(() => parseScores('{"scores":[{"score":null}]}', 1)).toThrow(/not a finite/);
    expect(() => parseScores("nope", 1)).toThrow(/not JSON/);
    expect(() => parseScores('{"s":[]}', 0)).toThrow(/no "scores"/);
  });
});

describe("scoreRows", () => {
  const sm = mockClient(SageMakerRuntimeClient);
  beforeEach(() => sm.reset());

  it("sends CSV rows in one InvokeEndpoint call and maps scores back", async () => {
    sm.on(InvokeEndpointCommand).callsFake((input) => {
      const rows = Buffer.from(input.Body).toString().split("\n");
      return { Body: body(rows.map((r) => Number(r.split(",")[0]))) };
    });
    const r = await scoreRows([[1, 0.5], [2, 0.25], [3, 0]].map(featuresToCsvRow), {
      client: new SageMakerRuntimeClient({ region: "eu-west-1" }),
      endpointName: "rcf",
      deadline: new Deadline(Date.now() + 5000),
      policy,
    });
    expect(r.scores).toEqual([1, 2, 3]);
    expect(r.calls).toBe(1);
    const calls = sm.commandCalls(InvokeEndpointCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toMatchObject({ EndpointName: "rcf", ContentType: "text/csv", Accept: "application/json" });
    expect(Buffer.from(calls[0].args[0].input.Body as Uint8Array).toString()).toBe("1,0.500000000\n2,0.250000000\n3,0");
  });

  it("retries throttling, then succeeds; splits when payloads are small", async () => {
    let n = 0;
    sm.on(InvokeEndpointCommand).callsFake((input) => {
      if (n++ < 2) throw throttled();
      const rows = Buffer.from(input.Body).toString().split("\n");
      return { Body: body(rows.map(() => 7)) };
    });
    const retries: string[] = [];
    const r = await scoreRows(Array.from({ length: 5 }, (_, i) => [i]).map(featuresToCsvRow), {
      client: new SageMakerRuntimeClient({ region: "eu-west-1" }),
      endpointName: "rcf",
      deadline: new Deadline(Date.now() + 5000),
      policy,
      maxPayloadBytes: 3, // "0\n1" per payload
      concurrency: 1,
      onRetry: (op) => retries.push(op),
    });
    expect(r.scores).toEqual([7, 7, 7, 7, 7]);
    expect(retries).toEqual(["InvokeEndpoint", "InvokeEndpoint"]);
    expect(r.calls).toBe(3 + 2);
  });

  it("hands each call's scores on as they arrive, and none for a call that failed", async () => {
    // Row 3's call fails for good (a client error); the others answer with their first feature.
    sm.on(InvokeEndpointCommand).callsFake((input) => {
      const rows = Buffer.from(input.Body).toString().split("\n");
      if (rows.includes("3")) throw Object.assign(new Error("bad csv"), { name: "ValidationError", $metadata: { httpStatusCode: 400 } });
      return { Body: body(rows.map((r) => Number(r))) };
    });
    const seen: [number, number[]][] = [];
    const r = await scoreRows(Array.from({ length: 5 }, (_, i) => [i]).map(featuresToCsvRow), {
      client: new SageMakerRuntimeClient({ region: "eu-west-1" }),
      endpointName: "rcf",
      deadline: new Deadline(Date.now() + 5000),
      policy,
      maxRowsPerCall: 2,
      concurrency: 1,
      onScored: (start, scores) => seen.push([start, [...scores]]),
    });
    expect(seen).toEqual([[0, [0, 1]], [4, [4]]]);
    expect(r.scores).toEqual([0, 1, undefined, undefined, 4]);
    expect(r.errors.map((e) => [e.start, e.rowCount])).toEqual([[2, 2]]);
  });

  it("leaves a payload unscored when the budget is spent, and does not retry client errors", async () => {
    sm.on(InvokeEndpointCommand).rejects(throttled());
    const r = await scoreRows([[1], [2]].map(featuresToCsvRow), {
      client: new SageMakerRuntimeClient({ region: "eu-west-1" }),
      endpointName: "rcf",
      deadline: new Deadline(Date.now() + 5000),
      policy,
    });
    expect(r.scores).toEqual([undefined, undefined]);
    expect(r.calls).toBe(policy.maxAttempts);
    expect(r.errors[0].error).toMatchObject({ name: "RetriesExhaustedError" });

    sm.reset();
    sm.on(InvokeEndpointCommand).rejects(Object.assign(new Error("bad csv"), { name: "ValidationError", $metadata: { httpStatusCode: 400 } }));
    const v = await scoreRows([[1]].map(featuresToCsvRow), { client: new SageMakerRuntimeClient({ region: "eu-west-1" }), endpointName: "rcf", deadline: new Deadline(Date.now() + 5000), policy });
    expect(v.calls).toBe(1);
    expect(v.scores).toEqual([undefined]);
  });
});
