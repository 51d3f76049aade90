/**
 * Producer throughput: this project's kafkajs producer against Kafka's own ProducerPerformance
 * tool (org.apache.kafka.tools, from the same jars), same broker, same run, same record size
 * (512 bytes), acks=all, no compression. Prints events/s for both and the ratio.
 *   npm run bench -- producer          (RECORDS=200000, ROUNDS=3 by default)
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../lib/config";
import { startLocalKafka, wipeKafkaData } from "../lib/kafka-local";
import { LogProducer } from "../producer/producer";
import { KafkaSink } from "../producer/sink";
import type { GeneratedLog } from "../producer/generator";
import { generateLogEvents } from "../producer/generator";
import type { LogEvent } from "../lib/log-event";

const RECORDS = Number(process.env.RECORDS ?? 200_000);
const RECORD_BYTES = 512;
const ROUNDS = Number(process.env.ROUNDS ?? 3);

/** Generated events padded (in `message`) so each encodes to exactly RECORD_BYTES. */
function fixedSizeLogs(n: number): GeneratedLog[] {
  return [...generateLogEvents({ seed: 1, count: n })].map(({ event }) => {
    const size = Buffer.byteLength(JSON.stringify(event));
    const message = event.message + " ".repeat(Math.max(0, RECORD_BYTES - size));
    return { event: { ...event, message } as LogEvent };
  });
}

async function main(): Promise<void> {
  const config = loadConfig({ env: {} });
  const dataDir = join(".cache", `bench-kafka-${process.pid}`);
  const kafka = await startLocalKafka({ version: config.versions.kafka, dataDir, heap: "1g" });
  try {
    const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "bench-js", numPartitions: 6 }, { topic: "bench-java", numPartitions: 6 }], waitForLeaders: true });
    await admin.disconnect();

    const logs = fixedSizeLogs(RECORDS);
    const sink = new KafkaSink({ brokers: kafka.brokers, compression: "none" });
    await sink.connect();
    // Warm-up (JIT, connections, producer id), not counted.
    await new LogProducer(sink, { topic: "bench-js", eventsPerSecond: 0, batchSize: 1000 }).run(logs.slice(0, 10_000));

    // Both sides share two cores with the broker and vary by ±10% from run to run: alternate
    // them for ROUNDS rounds and compare medians.
    const jsRates: number[] = [];
    const javaRates: number[] = [];
    let errors = 0;
    let lastSummary = "";
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = process.hrtime.bigint();
      const r = await new LogProducer(sink, { topic: "bench-js", eventsPerSecond: 0, batchSize: 1000 }).run(logs);
      jsRates.push(r.sent / (Number(process.hrtime.bigint() - t0) / 1e9));
      errors += r.errors;

      const perf = spawnSync(
        "java",
        [
          "-Xmx1g",
          "-cp",
          `${kafka.libDir}/*`,
          "org.apache.kafka.tools.ProducerPerformance",
          "--topic",
          "bench-java",
          "--num-records",
          String(RECORDS),
          "--record-size",
          String(RECORD_BYTES),
          "--throughput",
          "-1",
          "--producer-props",
          `bootstrap.servers=${kafka.brokers[0]}`,
          "acks=all",
          "enable.idempotence=true",
          "compression.type=none",
        ],
        { encoding: "utf8" },
      );
      lastSummary = perf.stdout.trim().split("\n").pop() ?? "";
      const m = /([\d.]+) records\/sec/.exec(lastSummary);
      if (perf.status !== 0 || !m) throw new Error(`ProducerPerformance failed:\n${perf.stdout}\n${perf.stderr}`);
      javaRates.push(Number(m[1]));
    }
    await sink.disconnect();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const jsRate = median(jsRates);
    const javaRate = median(javaRates);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");

    console.log(`records: ${RECORDS} × ${RECORD_BYTES} B, acks=all, idempotent, no compression, 6 partitions, Kafka ${config.versions.kafka}, ${ROUNDS} alternating rounds`);
    console.log(`kafkajs producer (this project): median ${jsRate.toFixed(0)} events/s (${((jsRate * RECORD_BYTES) / 1048576).toFixed(1)} MiB/s; rounds ${list(jsRates)}), errors=${errors}`);
    console.log(`Kafka ProducerPerformance (Java): median ${javaRate.toFixed(0)} events/s (rounds ${list(javaRates)})   [last: ${lastSummary}]`);
    console.log(`ratio kafkajs/Java (medians): ${(jsRate / javaRate).toFixed(2)}× (goal ≥ 0.80×)`);
  } finally {
    await kafka.stop();
    wipeKafkaData(dataDir);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
