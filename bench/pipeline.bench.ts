/**
 * The whole local pipeline (producer → Kafka → poller → handler → RCF model server → the local
 * DynamoDB): sustained events/s with an unthrottled producer (median of ROUNDS rounds: one round
 * varies by ±5% here), and produce→row latency p50/p99 at 1,000 events/s (Kafka create time →
 * the handler's batch stored).
 *   npm run bench -- pipeline       (EVENTS=50000, ROUNDS=3, WARMUP_EVENTS=40000 by default)
 */
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../lib/config";
import { wipeKafkaData } from "../lib/kafka-local";
import { startLocalPipeline } from "../lib/local/pipeline";
import { generateLogEvents } from "../producer/generator";
import { LogProducer } from "../producer/producer";
import { KafkaSink } from "../producer/sink";
import { median } from "./stats";

const EVENTS = Number(process.env.EVENTS ?? 50_000);
const WARMUP_EVENTS = Number(process.env.WARMUP_EVENTS ?? 40_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

async function main(): Promise<void> {
  const config = loadConfig({ env: {} });
  const dataDir = join(".cache", `bench-pipeline-${process.pid}`);
  let stored = 0;
  let latencies: number[] = [];
  const pipeline = await startLocalPipeline({
    config,
    freePorts: true,
    kafkaDataDir: dataDir,
    onBatch: (b) => {
      if (!b.ok) return;
      stored += b.records;
      for (const t of b.kafkaTimestamps) latencies.push(b.doneAt - t);
    },
  });
  try {
    const sink = new KafkaSink({ brokers: pipeline.brokers });
    await sink.connect();
    const waitStored = async (n: number) => {
      while (stored < n) await new Promise((r) => setTimeout(r, 50));
    };
    // 0. Warm-up, not counted: Kafka's JVM and the JITs of both Node processes compile for the
    // first tens of thousands of items; what is timed is the steady state.
    const warm = [...generateLogEvents({ seed: 4, count: WARMUP_EVENTS, start: new Date(), anomalyRate: 0.02 })];
    await new LogProducer(sink, { topic: config.kafka.topic, eventsPerSecond: 0, batchSize: 1000 }).run(warm);
    await waitStored(WARMUP_EVENTS);

    // 1. Sustained throughput, ROUNDS rounds of EVENTS events each (a new seed per round).
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const fromStored = stored;
      const logs = [...generateLogEvents({ seed: 5 + round * 100, count: EVENTS, start: new Date(), anomalyRate: 0.02 })];
      const t0 = Date.now();
      await new LogProducer(sink, { topic: config.kafka.topic, eventsPerSecond: 0, batchSize: 1000 }).run(logs);
      await waitStored(fromStored + EVENTS);
      rates.push(EVENTS / ((Date.now() - t0) / 1000));
    }
    const mid = median(rates);
    console.log(
      `sustained (after a ${WARMUP_EVENTS}-event warm-up, ${ROUNDS} rounds of ${EVENTS} events): median ${mid.toFixed(0)} events/s end to end ` +
        `(rounds: ${rates.map((r) => r.toFixed(0)).join(", ")}); goal ≥ 5,000: ${mid >= 5000 ? "met" : "not met"}`,
    );

    // 2. Latency at 1,000 events/s for 20 s.
    latencies = [];
    const before = stored;
    const paced = [...generateLogEvents({ seed: 6, count: 20_000, start: new Date(), anomalyRate: 0.02 })];
    await new LogProducer(sink, { topic: config.kafka.topic, eventsPerSecond: 1000, batchSize: 50 }).run(paced);
    await waitStored(before + paced.length);
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    console.log(`latency at 1,000 events/s (${latencies.length} events, batch ${config.lambda.batchSize}, window ${config.lambda.batchingWindowSeconds} s): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (goal p99 ≤ 1,000 ms)`);
    await sink.disconnect();

    // Where the events went: the producer keys by service, and Lambda (like the poller) runs one
    // invocation per partition at a time, so the busiest partition bounds the sustained rate.
    const admin = new Kafka({ brokers: pipeline.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = (await admin.fetchTopicOffsets(config.kafka.topic)).sort((a, b) => a.partition - b.partition);
    await admin.disconnect();
    const total = offsets.reduce((n, o) => n + Number(o.high), 0);
    console.log(`events per partition (all phases): ${offsets.map((o) => `${o.partition}: ${o.high} (${((100 * Number(o.high)) / total).toFixed(0)}%)`).join(", ")}`);
  } finally {
    await pipeline.stop();
    wipeKafkaData(dataDir);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
