/**
 * The log-processor handler end to end against real services: the local DynamoDB (Jest global setup)
 * and the RCF model server (started in-process here), with faults injected by wrapping them.
 * Every test checks the invariant: each record is stored once or dead-lettered once; none lost.
 */
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createLogTable, localDynamoDbClient } from "../../lib/dynamodb-local";
import { buildSelfManagedKafkaEvent, type KafkaRecordInput, type SelfManagedKafkaEvent } from "../../lib/kafka-event";
import { encodeLogEvent } from "../../lib/log-event";
import { itemKey, type StoredLog } from "../../lib/scored-log";
import { createClients } from "../../functions/log-processor/clients";
import { handleKafkaEvent, type InvokeDeps } from "../../functions/log-processor/invoke";
import type { ProcessorSettings } from "../../functions/log-processor/settings";
import { startModelServer } from "../../lib/model-server/server";
import { kafkaRecord, kafkaRecords, logEvent, poisonValues } from "../unit/log-processor/fixtures";
import { partitionItems, startFaultProxy, WithholdingDocumentClient } from "../unit/log-processor/harness";
import { trainTestModel } from "../unit/log-processor/model";

const ENDPOINT = "rcf-logs";
const TABLE = "log-processor-it";
const MAX_RECORD_BYTES = 8192;
const ddbEndpoint = process.env.DYNAMODB_ENDPOINT!;
const policy = { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50, requestTimeoutMs: 5000 };
const context = { getRemainingTimeInMillis: () => 30_000 };

let server: { url: string; close(): Promise<void> };
let threshold: number;
const admin = localDynamoDbClient(ddbEndpoint);
const doc = DynamoDBDocumentClient.from(admin);

beforeAll(async () => {
  await createLogTable(admin, TABLE);
  const trained = trainTestModel();
  threshold = trained.threshold;
  server = await startModelServer({ port: 0, endpoints: { [ENDPOINT]: trained.model } });
});
afterAll(async () => {
  await server?.close();
  admin.destroy();
});

let topicSeq = 0;
/** A fresh topic per test keeps row counts independent. */
const freshTopic = () => `it-${process.pid}-${++topicSeq}`;

function settings(over: Partial<ProcessorSettings> = {}): ProcessorSettings {
  return {
    tableName: TABLE,
    endpointName: ENDPOINT,
    deadLetterBucket: "dead-letters",
    deadLetterPrefix: "dead-letter/",
    threshold,
    maxRecordBytes: MAX_RECORD_BYTES,
    ttlDays: 7,
    reportBatchItemFailures: false,
    sagemakerEndpointUrl: server.url,
    dynamodbEndpointUrl: ddbEndpoint,
    s3EndpointUrl: "http://127.0.0.1:9", // no S3 here: tests that dead-letter to S3 pass their own client
    ...over,
  };
}

function deps(s: ProcessorSettings, over: Partial<InvokeDeps> = {}): InvokeDeps {
  const clients = createClients(s, {});
  return { settings: s, clients, policy, ...over };
}

/** Asserts every input record has exactly one item (scored or rejected as expected) and nothing else is there. */
async function expectAccountedFor(inputs: KafkaRecordInput[], expectStatus: (r: KafkaRecordInput) => "scored" | "rejected"): Promise<StoredLog[]> {
  const byPartition = new Map<string, KafkaRecordInput[]>();
  for (const r of inputs) byPartition.set(`${r.topic}#${r.partition}`, [...(byPartition.get(`${r.topic}#${r.partition}`) ?? []), r]);
  const all: StoredLog[] = [];
  for (const rs of byPartition.values()) {
    const items = await partitionItems(doc, TABLE, rs[0].topic, rs[0].partition);
    expect(items.map((i) => i.sk).sort()).toEqual(rs.map((r) => itemKey(r.topic, r.partition, r.offset.toString()).sk).sort());
    for (const r of rs) {
      const it = items.find((i) => i.sk === itemKey(r.topic, r.partition, r.offset.toString()).sk)!;
      expect(it.status).toBe(expectStatus(r));
    }
    all.push(...items);
  }
  return all;
}

describe("log processor against the local DynamoDB and the RCF model server", () => {
  it("scores a documented-shape batch, stores each record once with its score, and flags injected anomalies", async () => {
    const topic = freshTopic();
    const normal = kafkaRecords(300, { topic, partitions: 3 });
    const spikes = [0, 1, 2].map((p, i) =>
      kafkaRecord(1000 + i, {
        topic,
        partition: p,
        offset: 500 + i,
        value: encodeLogEvent(logEvent(1000 + i, { latencyMs: 45_000, status: 504, level: "ERROR", bytes: 3 })),
        headers: { "anomaly-kind": "latency-spike" },
      }),
    );
    const inputs = [...normal, ...spikes];
    const event: SelfManagedKafkaEvent = JSON.parse(JSON.stringify(buildSelfManagedKafkaEvent(inputs, "127.0.0.1:9092")));
    const metrics: Record<string, number> = {};
    const res = await handleKafkaEvent(event, context, deps(settings(), { metrics: { addMetric: (n, _u, v) => void (metrics[n] = v) } }));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(metrics).toMatchObject({ records: 303, scored: 303, rejected: 0, failed: 0 });
    const items = (await expectAccountedFor(inputs, () => "scored")).filter((i): i is Extract<StoredLog, { status: "scored" }> => i.status === "scored");
    const spikeItems = items.filter((i) => i.headers["anomaly-kind"] === "latency-spike");
    expect(spikeItems).toHaveLength(3);
    expect(spikeItems.every((i) => i.anomaly && i.anomalyDay === i.eventTime.slice(0, 10))).toBe(true);
    const normalScores = items.filter((i) => !i.headers["anomaly-kind"]).map((i) => i.score);
    expect(Math.min(...spikeItems.map((i) => i.score))).toBeGreaterThan(Math.max(...normalScores.sort((a, b) => a - b).slice(0, Math.floor(normalScores.length * 0.95))));
    expect(metrics.anomalies).toBe(items.filter((i) => i.anomaly).length);
  });

  it("survives a model server that answers 429/500 for the first calls", async () => {
    const topic = freshTopic();
    const proxy = await startFaultProxy(server.url, 3, [429, 500]);
    try {
      const inputs = kafkaRecords(120, { topic, partitions: 2 });
      const metrics: Record<string, number> = {};
      const res = await handleKafkaEvent(buildSelfManagedKafkaEvent(inputs, "b:9092"), context, {
        ...deps(settings({ sagemakerEndpointUrl: proxy.url })),
        maxPayloadBytes: 4096, // several payloads, so retries and splitting meet
        metrics: { addMetric: (n, _u, v) => void (metrics[n] = v) },
      });
      expect(res).toEqual({ batchItemFailures: [] });
      expect(proxy.failed()).toBe(3);
      expect(metrics.retries).toBe(3);
      await expectAccountedFor(inputs, () => "scored");
    } finally {
      await proxy.close();
    }
  });

  it("resends items DynamoDB returns as UnprocessedItems until all are stored", async () => {
    const topic = freshTopic();
    const inputs = kafkaRecords(200, { topic, partitions: 4 });
    const s = settings();
    const base = createClients(s, {});
    const withholding = new WithholdingDocumentClient(base.dynamodb, 10, 3);
    const res = await handleKafkaEvent(buildSelfManagedKafkaEvent(inputs, "b:9092"), context, { settings: s, policy, clients: { ...base, dynamodb: withholding.asClient() } });
    expect(res).toEqual({ batchItemFailures: [] });
    expect(withholding.withheld).toBeGreaterThan(0);
    await expectAccountedFor(inputs, () => "scored");
  });

  it("is idempotent under redelivery: the same batch twice leaves the row count unchanged", async () => {
    const topic = freshTopic();
    const inputs = [...kafkaRecords(60, { topic, partitions: 2 }), kafkaRecord(7, { topic, partition: 0, offset: 999, value: Buffer.from("not json") })];
    const event = buildSelfManagedKafkaEvent(inputs, "b:9092");
    await handleKafkaEvent(event, context, deps(settings()));
    const first = await expectAccountedFor(inputs, (r) => (r.offset === 999 ? "rejected" : "scored"));
    await handleKafkaEvent(event, context, deps(settings()));
    const second = await expectAccountedFor(inputs, (r) => (r.offset === 999 ? "rejected" : "scored"));
    expect(second).toHaveLength(first.length);
    expect(second.map((i) => [i.sk, i.status === "scored" ? i.score : i.reason])).toEqual(first.map((i) => [i.sk, i.status === "scored" ? i.score : i.reason]));
  });

  it("dead-letters each poison type once, with coordinates, reason and raw bytes, and stores the valid records", async () => {
    const topic = freshTopic();
    const poison = poisonValues(MAX_RECORD_BYTES);
    const kinds = Object.keys(poison);
    const huge = Buffer.alloc(500 * 1024, 0x41); // too large for an item: its raw bytes go to S3
    const bad = [...kinds.map((k, i) => kafkaRecord(i, { topic, offset: 1000 + i, value: poison[k] })), kafkaRecord(99, { topic, offset: 2000, value: huge })];
    const good = kafkaRecords(20, { topic });
    const objects = new Map<string, Buffer>();
    // No S3 emulator runs here; this S3 client records PutObject calls (the only S3 call the handler makes).
    const s3 = { send: async (c: PutObjectCommand) => void objects.set(`${c.input.Bucket}/${c.input.Key}`, c.input.Body as Buffer) } as unknown as S3Client;
    const s = settings();
    const base = createClients(s, {});
    const res = await handleKafkaEvent(buildSelfManagedKafkaEvent([...good, ...bad], "b:9092"), context, { settings: s, policy, clients: { ...base, s3 } });
    expect(res).toEqual({ batchItemFailures: [] });
    const items = await expectAccountedFor([...good, ...bad], (r) => (Number(r.offset) >= 1000 ? "rejected" : "scored"));
    const rejected = items.filter((i): i is Extract<StoredLog, { status: "rejected" }> => i.status === "rejected");
    expect(Object.fromEntries(rejected.map((r) => [r.offset, r.reason]))).toEqual({
      "1000": "not-json",
      "1001": "not-an-object",
      "1002": "not-utf8",
      "1003": "too-large",
      "1004": "missing-field",
      "1005": "invalid-field",
      "1006": "empty",
      "2000": "too-large",
    });
    for (const [i, k] of kinds.entries()) {
      const r = rejected.find((x) => x.offset === String(1000 + i))!;
      expect(Buffer.from(r.rawBase64 ?? "", "base64").equals(poison[k] ?? Buffer.alloc(0))).toBe(true);
      expect(r).toMatchObject({ topic, partition: 0, rawBytes: poison[k]?.length ?? 0 });
    }
    const bigItem = rejected.find((x) => x.offset === "2000")!;
    expect(bigItem.rawLocation).toBe(`s3://dead-letters/dead-letter/${topic}/0/00000000000000002000.bin`);
    expect(objects.get(`dead-letters/dead-letter/${topic}/0/00000000000000002000.bin`)?.equals(huge)).toBe(true);
  });

  it("when the retry budget is spent, stores nothing unscored and makes Kafka redeliver; the redelivery then stores all once", async () => {
    const topic = freshTopic();
    const inputs = [...kafkaRecords(30, { topic, partitions: 2 }), kafkaRecord(5, { topic, partition: 1, offset: 77, value: Buffer.from([0xff]) })];
    const event = buildSelfManagedKafkaEvent(inputs, "b:9092");
    const down = await startFaultProxy(server.url, 1_000_000, [503]);
    try {
      // Without provisioned mode: the invocation fails, so Lambda redelivers the whole batch.
      await expect(handleKafkaEvent(event, context, deps(settings({ sagemakerEndpointUrl: down.url })))).rejects.toMatchObject({ name: "BatchNotStoredError" });
      // With ReportBatchItemFailures: the lowest unstored offset of each partition.
      const partial = await handleKafkaEvent(event, context, deps(settings({ sagemakerEndpointUrl: down.url, reportBatchItemFailures: true })));
      expect(partial).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: `${topic}-0`, offset: 0 } }, { itemIdentifier: { partition: `${topic}-1`, offset: 0 } }] });
    } finally {
      await down.close();
    }
    // Only the poison record is stored so far (dead-lettered once); no valid record was acknowledged.
    expect((await partitionItems(doc, TABLE, topic, 0)).length).toBe(0);
    expect((await partitionItems(doc, TABLE, topic, 1)).map((i) => i.offset)).toEqual(["77"]);
    // Kafka redelivers once the endpoint is back.
    await expect(handleKafkaEvent(event, context, deps(settings()))).resolves.toEqual({ batchItemFailures: [] });
    await expectAccountedFor(inputs, (r) => (r.offset === 77 ? "rejected" : "scored"));
  });

  it("the exported handler reads its environment, builds its clients and processes a batch", async () => {
    const topic = freshTopic();
    const inputs = kafkaRecords(10, { topic });
    const env = {
      TABLE_NAME: TABLE,
      SAGEMAKER_ENDPOINT_NAME: ENDPOINT,
      DEAD_LETTER_BUCKET: "dead-letters",
      DEAD_LETTER_PREFIX: "dead-letter/",
      SCORE_THRESHOLD: String(threshold),
      MAX_RECORD_BYTES: String(MAX_RECORD_BYTES),
      TTL_DAYS: "7",
      SAGEMAKER_ENDPOINT_URL: server.url,
      DYNAMODB_ENDPOINT_URL: ddbEndpoint,
      POWERTOOLS_SERVICE_NAME: "log-processor",
      POWERTOOLS_METRICS_NAMESPACE: "LogPipeline",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "ERROR",
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      let mod!: typeof import("../../functions/log-processor/handler");
      jest.isolateModules(() => {
        mod = require("../../functions/log-processor/handler");
      });
      const lambdaContext = { ...context, functionName: "log-processor", awsRequestId: "test" } as unknown as import("aws-lambda").Context;
      await expect(mod.handler(buildSelfManagedKafkaEvent(inputs, "b:9092"), lambdaContext)).resolves.toEqual({ batchItemFailures: [] });
    } finally {
      process.env = saved;
    }
    await expectAccountedFor(inputs, () => "scored");
  });
});
