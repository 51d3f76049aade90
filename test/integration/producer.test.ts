/**
 * The producer against a real Kafka broker (the version the project deploys), with kafkajs on
 * both sides: what is sent is read back exactly once, in order per key, also across a broker
 * restart; a wrong address fails fast and says so.
 */
import { Kafka, logLevel } from "kafkajs";
import { join } from "node:path";
import { HEADER_ANOMALY_KIND, parseLogEvent } from "../../lib/log-event";
import { startLocalKafka, wipeKafkaData } from "../../lib/kafka-local";
import { generateLogEvents, type GeneratedLog } from "../../producer/generator";
import { LogProducer } from "../../producer/producer";
import { KafkaSink, type LogSink } from "../../producer/sink";
import { ParallelKafkaSink } from "../../producer/parallel-sink";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { buildSync } from "esbuild";

jest.setTimeout(180_000);

interface Received {
  key: string;
  traceId: string;
  anomaly?: string;
  partition: number;
}

async function readBack(brokers: string[], topic: string, expected: number, timeoutMs = 60_000): Promise<Received[]> {
  const kafka = new Kafka({ brokers, clientId: "test-reader", logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: Received[] = [];
  let done: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const parsed = parseLogEvent(message.value ?? Buffer.alloc(0), 65536);
      if (!parsed.ok) throw new Error(`invalid event read back: ${parsed.detail}`);
      got.push({ key: message.key!.toString(), traceId: parsed.event.traceId, anomaly: message.headers?.[HEADER_ANOMALY_KIND]?.toString(), partition });
      if (got.length >= expected) done();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
  // Anything beyond `expected` would be a duplicate: give it a moment to show up.
  await new Promise((r) => setTimeout(r, 1500));
  await consumer.disconnect();
  return got;
}

function expectSameAsSent(sent: GeneratedLog[], got: Received[]): void {
  expect(got).toHaveLength(sent.length);
  expect(new Set(got.map((g) => g.traceId)).size).toBe(sent.length);
  // Per key (service): the order read equals the order sent, and one key maps to one partition.
  const byKey = (xs: { key: string; traceId: string }[]) => {
    const m = new Map<string, string[]>();
    for (const x of xs) m.set(x.key, [...(m.get(x.key) ?? []), x.traceId]);
    return m;
  };
  const sentByKey = byKey(sent.map((s) => ({ key: s.event.service, traceId: s.event.traceId })));
  const gotByKey = byKey(got);
  expect([...gotByKey.keys()].sort()).toEqual([...sentByKey.keys()].sort());
  for (const [k, ids] of sentByKey) expect(gotByKey.get(k)).toEqual(ids);
  for (const k of gotByKey.keys()) expect(new Set(got.filter((g) => g.key === k).map((g) => g.partition)).size).toBe(1);
  expect(got.filter((g) => g.anomaly).length).toBe(sent.filter((s) => s.anomaly).length);
}

/**
 * Connects, sends everything unthrottled in batches of `batchSize` (at most `maxInFlightBatches`
 * unacknowledged), disconnects. `maxConcurrent` = most sends the sink really had at once.
 */
async function produceAll(sink: LogSink, topic: string, sent: GeneratedLog[], batchSize: number, ...maxInFlightBatches: number[]) {
  let inSend = 0;
  let maxConcurrent = 0;
  const counting: LogSink = {
    connect: () => sink.connect(),
    disconnect: () => sink.disconnect(),
    send: async (t, messages) => {
      maxConcurrent = Math.max(maxConcurrent, ++inSend);
      try {
        await sink.send(t, messages);
      } finally {
        inSend--;
      }
    },
  };
  // One run per maxInFlightBatches given (default: one run with the default), over equal shares of `sent`.
  const runs = maxInFlightBatches.length > 0 ? maxInFlightBatches : [undefined];
  const share = Math.ceil(sent.length / runs.length);
  let sentCount = 0;
  let errors = 0;
  await counting.connect();
  for (const [i, m] of runs.entries()) {
    const r = await new LogProducer(counting, { topic, eventsPerSecond: 0, batchSize, maxInFlightBatches: m }).run(sent.slice(i * share, (i + 1) * share));
    sentCount += r.sent;
    errors += r.errors;
  }
  await counting.disconnect();
  return { sent: sentCount, errors, maxConcurrent };
}

async function createTopic(brokers: string[], topic: string): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  await admin.disconnect();
}

describe("producer → Kafka", () => {
  const brokers = (process.env.KAFKA_BROKERS ?? "").split(",");

  it("delivers 10,000 events with anomalies exactly once, in order per key", async () => {
    const topic = `logs-${Date.now()}`;
    await createTopic(brokers, topic);
    const sent = [...generateLogEvents({ seed: 42, count: 10_000, anomalyRate: 0.02 })];
    expect(sent.some((s) => s.anomaly)).toBe(true);
    expect(await produceAll(new KafkaSink({ brokers }), topic, sent, 500)).toMatchObject({ sent: 10_000, errors: 0 });
    expectSameAsSent(sent, await readBack(brokers, topic, sent.length));
  });

  it("spreads batches over worker threads, several in flight: exactly once, in order per key, also as keys move between workers", async () => {
    const topic = `logs-parallel-${Date.now()}`;
    await createTopic(brokers, topic);
    const sent = [...generateLogEvents({ seed: 77, count: 10_000, anomalyRate: 0.02 })];
    const sink = new ParallelKafkaSink({ brokers, workers: 3 });
    // First half one batch at a time: every batch re-balances its keys, so keys move. Second half
    // four batches in flight: keys stay where their unacknowledged messages are.
    const r = await produceAll(sink, topic, sent, 150, 1, 4);
    expect(r).toMatchObject({ sent: 10_000, errors: 0 });
    // Batches really overlapped, and the balancing really moved keys between producers.
    expect(r.maxConcurrent).toBeGreaterThan(1);
    expect(sink.keyMoves).toBeGreaterThan(0);
    expectSameAsSent(sent, await readBack(brokers, topic, sent.length));
  });

  it("KafkaSink keeps call order for sends issued without waiting", async () => {
    const topic = `logs-concurrent-${Date.now()}`;
    await createTopic(brokers, topic);
    const sent = [...generateLogEvents({ seed: 78, count: 3_000 })];
    const r = await produceAll(new KafkaSink({ brokers }), topic, sent, 50, 8);
    expect(r).toMatchObject({ sent: 3_000, errors: 0 });
    expect(r.maxConcurrent).toBeGreaterThan(1);
    expectSameAsSent(sent, await readBack(brokers, topic, sent.length));
  });

  it("the bundled producer (the image's entry point) runs with worker threads", async () => {
    const topic = `logs-bundle-${Date.now()}`;
    await createTopic(brokers, topic);
    const dir = mkdtempSync(join(tmpdir(), "producer-bundle-"));
    try {
      // The same bundle the Dockerfile builds.
      buildSync({ entryPoints: ["producer/main.ts"], bundle: true, minify: true, platform: "node", target: "node20", outfile: join(dir, "producer.js"), logLevel: "silent" });
      const r = spawnSync(process.execPath, [join(dir, "producer.js")], {
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC: topic, EVENT_COUNT: "3000", EVENTS_PER_SECOND: "0", SEED: "5", PRODUCER_WORKERS: "2" },
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/2 worker threads/);
      expect(r.stdout).toMatch(/done: .*sent=3000 .*errors=0/);
      const got = await readBack(brokers, topic, 3000);
      expect(got).toHaveLength(3000);
      expect(new Set(got.map((g) => g.traceId)).size).toBe(3000);
      for (const k of new Set(got.map((g) => g.key))) expect(new Set(got.filter((g) => g.key === k).map((g) => g.partition)).size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loses and duplicates nothing when the broker restarts mid-run", async () => {
    // Its own broker, so restarting it disturbs no other test.
    const dataDir = join(".cache", `test-kafka-restart-${process.pid}`);
    const version = process.env.KAFKA_VERSION ?? "4.1.0";
    let kafka = await startLocalKafka({ version, dataDir });
    try {
      const topic = "restart-logs";
      await createTopic(kafka.brokers, topic);
      const sent = [...generateLogEvents({ seed: 9, count: 10_000, anomalyRate: 0.02 })];
      const sink = new KafkaSink({ brokers: kafka.brokers, retryBudgetMs: 90_000 });
      await sink.connect();
      const run = new LogProducer(sink, { topic, eventsPerSecond: 2500, batchSize: 100, maxConsecutiveFailures: 1 }).run(sent);
      await new Promise((r) => setTimeout(r, 1500));
      await kafka.stop();
      await new Promise((r) => setTimeout(r, 2000));
      kafka = await startLocalKafka({ version, dataDir });
      const result = await run;
      await sink.disconnect();
      expect(result).toMatchObject({ sent: 10_000, errors: 0 });
      expectSameAsSent(sent, await readBack(kafka.brokers, topic, sent.length));
    } finally {
      await kafka.stop();
      wipeKafkaData(dataDir);
    }
  });

  it("fails fast with a clear message when no broker is at the address", async () => {
    const sink = new KafkaSink({ brokers: ["127.0.0.1:1"], retryBudgetMs: 2_000, connectionTimeoutMs: 500 });
    const t0 = Date.now();
    await expect(sink.connect()).rejects.toThrow(/cannot connect to Kafka at 127\.0\.0\.1:1/);
    expect(Date.now() - t0).toBeLessThan(30_000);
    // The same through worker threads: the workers' error comes back, and they are gone after.
    const parallel = new ParallelKafkaSink({ brokers: ["127.0.0.1:1"], retryBudgetMs: 2_000, connectionTimeoutMs: 500, workers: 2 });
    await expect(parallel.connect()).rejects.toThrow(/cannot connect to Kafka at 127\.0\.0\.1:1/);
    await expect(parallel.send("t", [{ key: "k", value: Buffer.from("v") }])).rejects.toThrow(/send before connect/);
  });
});
