import { mockClient } from "aws-sdk-client-mock";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { buildSelfManagedKafkaEvent, eventRecords } from "../../../lib/kafka-event";
import { processBatch, type ProcessorDeps } from "../../../functions/log-processor/process-batch";
import { handleKafkaEvent } from "../../../functions/log-processor/invoke";
import { Deadline } from "../../../functions/log-processor/retry";
import { featuresToCsvRow, extractFeatures } from "../../../lib/features";
import { kafkaRecord, kafkaRecords, logEvent, poisonValues } from "./fixtures";
import type { StoredLog } from "../../../lib/scored-log";

const MAX = 4096;
const sm = mockClient(SageMakerRuntimeClient);
const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const region = { region: "eu-west-1" };
const now = new Date("2026-11-25T12:00:00.000Z");

function deps(overrides: Partial<ProcessorDeps> = {}): ProcessorDeps {
  return {
    sagemaker: new SageMakerRuntimeClient(region),
    dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient(region)),
    s3: new S3Client(region),
    endpointName: "rcf",
    tableName: "logs",
    deadLetterBucket: "dlq",
    deadLetterPrefix: "dead-letter",
    threshold: 2,
    maxRecordBytes: MAX,
    ttlDays: 30,
    deadline: new Deadline(Date.now() + 10_000),
    policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, requestTimeoutMs: 1000 },
    now: () => now,
    ...overrides,
  };
}

/** Scores each CSV row by its first feature (ln(1+latency)); latency > e^2-1 ≈ 6.4 ms is an "anomaly" at threshold 2. */
function scoreByFirstFeature() {
  sm.on(InvokeEndpointCommand).callsFake((input) => {
    const rows = Buffer.from(input.Body).toString().split("\n");
    return { Body: new TextEncoder().encode(JSON.stringify({ scores: rows.map((r) => ({ score: Number(r.split(",")[0]) })) })) };
  });
}

function stored(): StoredLog[] {
  return ddb.commandCalls(BatchWriteCommand).flatMap((c) => c.args[0].input.RequestItems!.logs.map((w) => w.PutRequest!.Item as StoredLog));
}

beforeEach(() => {
  sm.reset();
  ddb.reset();
  s3.reset();
  ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  s3.on(PutObjectCommand).resolves({});
});

describe("processBatch", () => {
  it("scores valid records and stores them with score, flag, features and coordinates", async () => {
    scoreByFirstFeature();
    // Record 1 is a slow request: its first feature ln(1+5000) ≈ 8.5 is over threshold 2; record 0 (1 ms) is not.
    const slow = buildSelfManagedKafkaEvent([kafkaRecord(1, { value: Buffer.from(JSON.stringify(logEvent(1, { latencyMs: 5000 }))) })], "b:9092");
    const fast = buildSelfManagedKafkaEvent([kafkaRecord(0, { value: Buffer.from(JSON.stringify(logEvent(0, { latencyMs: 1 }))), headers: { "anomaly-kind": "none" } })], "b:9092");
    const out = await processBatch([...eventRecords(fast), ...eventRecords(slow)], deps());
    expect(out).toMatchObject({ records: 2, scored: 2, anomalies: 1, rejected: 0, failed: [], scoringCalls: 1 });
    const items = stored();
    const e0 = logEvent(0, { latencyMs: 1 });
    expect(items.find((i) => i.sk === "00000000000000000000")).toEqual({
      pk: "app-logs#0",
      sk: "00000000000000000000",
      topic: "app-logs",
      partition: 0,
      offset: "0",
      kafkaTimestamp: Date.UTC(2026, 10, 25, 10, 0, 0),
      headers: { "content-type": "application/json", "anomaly-kind": "none" },
      expiresAt: Math.floor(now.getTime() / 1000) + 30 * 86400,
      status: "scored",
      event: e0,
      eventTime: e0.timestamp,
      service: e0.service,
      endpoint: e0.endpoint,
      featuresCsv: featuresToCsvRow(extractFeatures(e0)),
      score: Number(featuresToCsvRow(extractFeatures(e0)).split(",")[0]),
      threshold: 2,
      anomaly: false,
      scoredAt: now.toISOString(),
    });
    const slowItem = items.find((i) => i.sk === "00000000000000000001")!;
    expect(slowItem).toMatchObject({ status: "scored", anomaly: true, anomalyDay: "2026-11-25" });
    // featuresCsv is the model input exactly as scored: the lines of the request bodies.
    const sent = sm.commandCalls(InvokeEndpointCommand).flatMap((c) => Buffer.from(c.args[0].input.Body as Uint8Array).toString().split("\n"));
    expect(items.map((i) => (i as { featuresCsv?: string }).featuresCsv).sort()).toEqual(sent.sort());
  });

  it("dead-letters every poison kind as a rejected item with coordinates, reason and raw bytes", async () => {
    scoreByFirstFeature();
    const poison = poisonValues(MAX);
    const kinds = Object.keys(poison);
    const input = kinds.map((k, i) => kafkaRecord(i, { offset: 100 + i, value: poison[k] }));
    const out = await processBatch(eventRecords(buildSelfManagedKafkaEvent(input, "b:9092")), deps());
    expect(out).toMatchObject({ records: kinds.length, scored: 0, rejected: kinds.length, failed: [] });
    expect(out.rejectedByReason).toEqual({ "not-json": 1, "not-an-object": 1, "not-utf8": 1, "too-large": 1, "missing-field": 1, "invalid-field": 1, empty: 1 });
    expect(sm.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
    for (const [i, k] of kinds.entries()) {
      const item = stored().find((s) => s.sk === String(100 + i).padStart(20, "0"));
      expect(item).toMatchObject({ status: "rejected", topic: "app-logs", partition: 0, offset: String(100 + i), rawBytes: poison[k]?.length ?? 0 });
      if (item?.status === "rejected") expect(Buffer.from(item.rawBase64!, "base64").equals(poison[k] ?? Buffer.alloc(0))).toBe(true);
    }
  });

  it("dead-letters records whose features are not finite", async () => {
    scoreByFirstFeature();
    const out = await processBatch(eventRecords(buildSelfManagedKafkaEvent(kafkaRecords(3), "b:9092")), deps({ extractFeatures: (e) => (e.message.endsWith("1 done") ? [NaN, ...extractFeatures(e).slice(1)] : extractFeatures(e)) }));
    expect(out).toMatchObject({ scored: 2, rejected: 1, rejectedByReason: { "invalid-features": 1 } });
    expect(stored().find((s) => s.offset === "1")).toMatchObject({ status: "rejected", reason: "invalid-features" });
  });

  it("puts raw values too large for an item in S3 under the prefix and points the item at them", async () => {
    const huge = Buffer.alloc(600 * 1024, 0x7b);
    const out = await processBatch(eventRecords(buildSelfManagedKafkaEvent([kafkaRecord(5, { offset: 5, value: huge })], "b:9092")), deps());
    expect(out).toMatchObject({ rejected: 1, failed: [] });
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: "dlq", Key: "dead-letter/app-logs/0/00000000000000000005.bin" });
    expect(Buffer.compare(put.Body as Buffer, huge)).toBe(0);
    const [item] = stored();
    expect(item).toMatchObject({ status: "rejected", reason: "too-large", rawBytes: huge.length, rawLocation: "s3://dlq/dead-letter/app-logs/0/00000000000000000005.bin" });
    expect((item as { rawBase64?: string }).rawBase64).toBeUndefined();
  });

  it("reports scoring failures instead of storing unscored records", async () => {
    sm.on(InvokeEndpointCommand).rejects(Object.assign(new Error("down"), { $metadata: { httpStatusCode: 503 } }));
    const out = await processBatch(eventRecords(buildSelfManagedKafkaEvent([...kafkaRecords(2), kafkaRecord(9, { offset: 9, value: Buffer.from("bad") })], "b:9092")), deps());
    expect(out.failed.map((f) => [f.offset, f.stage])).toEqual([["0", "scoring"], ["1", "scoring"]]);
    expect(out).toMatchObject({ scored: 0, rejected: 1 });
    expect(stored().map((s) => s.offset)).toEqual(["9"]);
  });

  it("stores the first call's rows while later calls are still being scored", async () => {
    let signalWrite!: () => void;
    const firstWrite = new Promise<void>((r) => (signalWrite = r));
    ddb.on(BatchWriteCommand).callsFake(() => {
      signalWrite();
      return { UnprocessedItems: {} };
    });
    // Every call after the first answers only once something was stored, or gives up after 2 s.
    const answers: string[] = [];
    let calls = 0;
    sm.on(InvokeEndpointCommand).callsFake(async (input) => {
      const rows = Buffer.from(input.Body).toString().split("\n");
      if (calls++ > 0) {
        const wrote = await Promise.race([firstWrite.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
        answers.push(wrote ? "after a write" : "before any write");
      }
      return { Body: new TextEncoder().encode(JSON.stringify({ scores: rows.map(() => ({ score: 1 })) })) };
    });
    const out = await processBatch(eventRecords(buildSelfManagedKafkaEvent(kafkaRecords(6), "b:9092")), deps({ maxRowsPerCall: 2, scoringConcurrency: 1 }));
    expect(out).toMatchObject({ records: 6, scored: 6, failed: [], scoringCalls: 3 });
    expect(answers).toEqual(["after a write", "after a write"]);
    expect(stored().map((s) => s.offset).sort()).toEqual(["0", "1", "2", "3", "4", "5"]);
  });
});

describe("handleKafkaEvent", () => {
  const settings = { tableName: "logs", endpointName: "rcf", deadLetterBucket: "dlq", deadLetterPrefix: "dl/", threshold: 2, maxRecordBytes: MAX, ttlDays: 30, reportBatchItemFailures: false };
  const clients = { sagemaker: new SageMakerRuntimeClient(region), dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient(region)), s3: new S3Client(region) };
  const context = { getRemainingTimeInMillis: () => 3000 };
  const policy = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, requestTimeoutMs: 500 };

  it("answers with no failures and records metrics", async () => {
    scoreByFirstFeature();
    const metrics: Record<string, number> = {};
    const res = await handleKafkaEvent(buildSelfManagedKafkaEvent(kafkaRecords(4, { partitions: 2 }), "b:9092"), context, {
      settings,
      clients,
      policy,
      metrics: { addMetric: (n, _u, v) => void (metrics[n] = v) },
    });
    expect(res).toEqual({ batchItemFailures: [] });
    expect(metrics).toMatchObject({ records: 4, scored: 4, rejected: 0, failed: 0, retries: 0 });
    expect(metrics.latency).toBeGreaterThanOrEqual(0);
  });

  it("throws when records were not stored and partial responses are off", async () => {
    scoreByFirstFeature();
    ddb.on(BatchWriteCommand).rejects(Object.assign(new Error("throttled"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }));
    await expect(handleKafkaEvent(buildSelfManagedKafkaEvent(kafkaRecords(3), "b:9092"), context, { settings, clients, policy })).rejects.toMatchObject({ name: "BatchNotStoredError" });
  });

  it("returns batchItemFailures (lowest unstored offset per partition) when partial responses are on", async () => {
    scoreByFirstFeature();
    ddb.on(BatchWriteCommand).callsFake((input) => ({ UnprocessedItems: { logs: input.RequestItems.logs.filter((w: { PutRequest: { Item: { pk: string; offset: string } } }) => w.PutRequest.Item.pk === "app-logs#1" && Number(w.PutRequest.Item.offset) >= 1) } }));
    const res = await handleKafkaEvent(buildSelfManagedKafkaEvent(kafkaRecords(6, { partitions: 2 }), "b:9092"), context, { settings: { ...settings, reportBatchItemFailures: true }, clients, policy });
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: "app-logs-1", offset: 1 } }] });
  });

  it("rejects an event that is not a self-managed Kafka event", async () => {
    await expect(handleKafkaEvent({ Records: [] }, context, { settings, clients })).rejects.toThrow(/SelfManagedKafka/);
  });
});
