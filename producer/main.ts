/**
 * The producer's entry point (the container's command, and `npm run producer` locally).
 * Settings: lib/config.ts (topic) and environment variables:
 *   KAFKA_BROKERS        host:port[,host:port]            (required)
 *   EVENTS_PER_SECOND    target rate, 0 = unthrottled     (default 100)
 *   EVENT_COUNT          stop after this many, 0 = forever (default 0)
 *   ANOMALY_RATE         share of events in injected anomaly episodes (default 0.01)
 *   SEED                 generator seed                   (default: current time)
 *   BATCH_SIZE           messages per produce request     (default 500)
 *   PRODUCER_WORKERS     worker threads, one producer each (default 1; more for high rates:
 *                        kafkajs encodes on the thread that sends, see parallel-sink.ts)
 *   KAFKA_TOPIC          overrides config.kafka.topic
 *   HEALTH_PORT          serve GET /healthz here (Kubernetes probes); unset = no server
 */
import { createServer } from "node:http";
import { isMainThread } from "node:worker_threads";
import { loadConfig } from "../lib/config";
import { generateLogEvents } from "./generator";
import { formatProgress, LogProducer } from "./producer";
import { ParallelKafkaSink } from "./parallel-sink";
import { KafkaSink, type LogSink } from "./sink";

function numberFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name}=${raw} is not allowed; allowed: a number from ${min} to ${max}`);
  return n;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const brokers = (process.env.KAFKA_BROKERS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (brokers.length === 0) throw new Error("KAFKA_BROKERS is not set; allowed: host:port[,host:port]");
  const topic = process.env.KAFKA_TOPIC || config.kafka.topic;
  const rate = numberFromEnv("EVENTS_PER_SECOND", 100, 0, 1e6);
  const count = numberFromEnv("EVENT_COUNT", 0, 0, Number.MAX_SAFE_INTEGER);
  const seed = numberFromEnv("SEED", Date.now() % 2 ** 31, 0, 2 ** 32);
  const workers = numberFromEnv("PRODUCER_WORKERS", 1, 1, 16);
  if (!Number.isInteger(workers)) throw new Error(`PRODUCER_WORKERS=${workers} is not allowed; allowed: an integer from 1 to 16`);
  const sink: LogSink = workers > 1 ? new ParallelKafkaSink({ brokers, workers }) : new KafkaSink({ brokers });
  await sink.connect();
  const producer = new LogProducer(sink, {
    topic,
    eventsPerSecond: rate,
    batchSize: numberFromEnv("BATCH_SIZE", 500, 1, 100000),
    onError: (e, lost) => {
      healthy = false;
      console.error(`[producer] a batch of ${lost} failed: ${e.message}`);
    },
    onProgress: (p) => {
      healthy = true;
      console.log(formatProgress(p));
    },
  });
  let healthy = true;
  const healthPort = numberFromEnv("HEALTH_PORT", 0, 0, 65535);
  const health =
    healthPort > 0
      ? createServer((req, res) => {
          res.writeHead(req.url === "/healthz" && healthy ? 200 : 503).end();
        }).listen(healthPort)
      : undefined;
  // SIGTERM (Kubernetes) and SIGINT (Ctrl-C): finish what is in flight, then exit.
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => producer.stop());
  console.log(`[producer] sending to ${topic} on ${brokers.join(",")} at ${rate || "max"} events/s, seed ${seed}${workers > 1 ? `, ${workers} worker threads` : ""}`);
  const final = await producer.run(
    generateLogEvents({ seed, count: count || Number.MAX_SAFE_INTEGER, start: new Date(), eventsPerSecond: rate || 1000, anomalyRate: numberFromEnv("ANOMALY_RATE", 0.01, 0, 1) }),
  );
  await sink.disconnect();
  health?.close();
  console.log(`[producer] done: ${formatProgress(final)}`);
  process.exitCode = final.errors > 0 ? 1 : 0;
}

// The bundled image starts its worker threads from this same file: only the main thread runs.
if (isMainThread) {
  main().catch((e: Error) => {
    console.error(`[producer] ${e.message}`);
    process.exit(1);
  });
}
