/**
 * Producer throughput: this project's kafkajs producer against Kafka's own ProducerPerformance
 * tool (org.apache.kafka.tools, from the same jars), same broker, same run, same record size
 * (512 bytes), acks=all, no compression: one kafkajs producer, and WORKERS producers on worker
 * threads (ParallelKafkaSink). Prints events/s for each and the ratios.
 *   npm run bench -- producer          (RECORDS=200000, ROUNDS=3, WORKERS=2 by default)
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../lib/config";
import { startLocalKafka, wipeKafkaData } from "../lib/kafka-local";
import { LogProducer } from "../producer/producer";
import { ParallelKafkaSink } from "../producer/parallel-sink";
import { KafkaSink, type LogSink } from "../producer/sink";
import type { GeneratedLog } from "../producer/generator";
import { generateLogEvents } from "../producer/generator";
import type { LogEvent } from "../lib/log-event";
import { CpuMeter, median } from "./stats";

const RECORDS = Number(process.env.RECORDS ?? 200_000);
const RECORD_BYTES = 512;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WORKERS = Number(process.env.WORKERS ?? 2);

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
    const single = new KafkaSink({ brokers: kafka.brokers, compression: "none" });
    const parallel = new ParallelKafkaSink({ brokers: kafka.brokers, compression: "none", workers: WORKERS });
    await single.connect();
    await parallel.connect();
    // 1,500 events of 512 B per batch; the busiest key's share (about 2/3) stays under the broker's 1 MiB per partition.
    const batch = { batchSize: 1500, maxBatchBytes: 768 * 1024 };
    const cores = availableParallelism();
    // CPU per phase: the machine's busy share, the broker's and the client's cores (the Java tool's
    // = machine − broker − this process, which idles meanwhile).
    type Cpu = { busy: number; broker: number; client: number };
    const cpu: Record<"single" | "parallel" | "java", Cpu[]> = { single: [], parallel: [], java: [] };
    const meter = () => new CpuMeter({ broker: kafka.pid, node: process.pid });
    const produce = async (sink: LogSink, topic: string, n: number, into?: Cpu[]) => {
      const t0 = process.hrtime.bigint();
      const m = meter();
      const r = await new LogProducer(sink, { topic, eventsPerSecond: 0, ...batch }).run(logs.slice(0, n));
      const u = m.read();
      into?.push({ busy: u.busy, broker: u.cores.broker, client: u.cores.node });
      return { rate: r.sent / (Number(process.hrtime.bigint() - t0) / 1e9), errors: r.errors };
    };
    // Warm-up (JIT, connections, producer ids), not counted.
    await produce(single, "bench-js", 10_000);
    await produce(parallel, "bench-js", 10_000);

    // All three share two cores with the broker, which itself warms up over the rounds (Java's
    // figure rises round by round): alternate them for ROUNDS rounds and compare medians.
    const singleRates: number[] = [];
    const jsRates: number[] = [];
    const javaRates: number[] = [];
    let errors = 0;
    let lastSummary = "";
    for (let round = 0; round < ROUNDS; round++) {
      const one = await produce(single, "bench-js", RECORDS, cpu.single);
      singleRates.push(one.rate);
      const many = await produce(parallel, "bench-js", RECORDS, cpu.parallel);
      jsRates.push(many.rate);
      errors += one.errors + many.errors;

      const javaMeter = meter();
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
      const u = javaMeter.read();
      cpu.java.push({ busy: u.busy, broker: u.cores.broker, client: u.busy * cores - u.cores.broker - u.cores.node });
      lastSummary = perf.stdout.trim().split("\n").pop() ?? "";
      const m = /([\d.]+) records\/sec/.exec(lastSummary);
      if (perf.status !== 0 || !m) throw new Error(`ProducerPerformance failed:\n${perf.stdout}\n${perf.stderr}`);
      javaRates.push(Number(m[1]));
    }
    await single.disconnect();
    await parallel.disconnect();
    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
    const javaRate = median(javaRates);
    const line = (name: string, xs: number[]) => `${name}: median ${median(xs).toFixed(0)} events/s (${((median(xs) * RECORD_BYTES) / 1048576).toFixed(1)} MiB/s; rounds ${list(xs)})`;

    console.log(`records: ${RECORDS} × ${RECORD_BYTES} B, acks=all, idempotent, no compression, 6 partitions, Kafka ${config.versions.kafka}, ${ROUNDS} alternating rounds, errors=${errors}`);
    console.log(line("kafkajs, one producer (KafkaSink)", singleRates) + ` → ${(median(singleRates) / javaRate).toFixed(2)}× Java`);
    console.log(line(`kafkajs, ${WORKERS} worker threads (ParallelKafkaSink)`, jsRates) + ` → ${(median(jsRates) / javaRate).toFixed(2)}× Java (goal ≥ 0.80×)`);
    console.log(line("Kafka ProducerPerformance (Java)", javaRates) + `   [last: ${lastSummary}]`);
    const cpuLine = (name: string, xs: Cpu[]) =>
      `  ${name}: machine busy ${xs.map((x) => `${(x.busy * 100).toFixed(0)}%`).join("/")}, broker ${xs.map((x) => x.broker.toFixed(2)).join("/")} cores, client ${xs.map((x) => x.client.toFixed(2)).join("/")} cores`;
    console.log(`CPU per round (${cores} cores):`);
    console.log(cpuLine("one producer", cpu.single));
    console.log(cpuLine(`${WORKERS} worker threads`, cpu.parallel));
    console.log(cpuLine("Java", cpu.java));
  } finally {
    await kafka.stop();
    wipeKafkaData(dataDir);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
