/**
 * `npm run local`: the whole pipeline on this machine — Kafka, a local DynamoDB (dynalite), the RCF model
 * server (model trained on first run), the handler behind the event-source-mapping poller, the
 * producer with injected anomalies and a few poison records, and the dashboard. One status line
 * per component, then progress every 5 s; Ctrl-C stops everything it started.
 * Settings: lib/config.ts (local.* ports, kafka.*, lambda.batchSize/batchingWindowSeconds);
 * EVENTS_PER_SECOND (default 200) and ANOMALY_RATE (default 0.02) for the producer.
 */
import { loadConfig } from "../lib/config";
import { startLocalPipeline } from "../lib/local/pipeline";
import { assertPortFree } from "../lib/java-service";
import { startDashboard } from "../dashboard/server";
import { generateLogEvents, poisonMessages } from "../producer/generator";
import { LogProducer } from "../producer/producer";
import { KafkaSink } from "../producer/sink";

async function main(): Promise<void> {
  const config = loadConfig();
  const say = (l: string) => console.log(l);
  await assertPortFree(config.local.dashboardPort, "dashboard (local.dashboardPort)");
  let stored = 0;
  let failed = 0;
  const pipeline = await startLocalPipeline({
    config,
    log: say,
    onBatch: (b) => {
      if (b.ok) stored += b.records;
      else failed++;
    },
  });
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  let producer: LogProducer | undefined;
  let sink: KafkaSink | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("[local] stopping…");
    producer?.stop();
    await sink?.disconnect().catch(() => undefined);
    await dashboard?.close().catch(() => undefined);
    await pipeline.stop();
    say("[local] stopped");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  try {
    dashboard = await startDashboard({ doc: pipeline.doc, table: pipeline.tableName, port: config.local.dashboardPort });
    say(`[dashboard] ${dashboard.url}`);
    sink = new KafkaSink({ brokers: pipeline.brokers });
    await sink.connect();
    const poison = poisonMessages(1, 6, config.lambda.maxRecordBytes);
    await sink.send(config.kafka.topic, poison.map((p, i) => ({ key: `poison-${i}`, value: p.value })));
    const rate = Number(process.env.EVENTS_PER_SECOND ?? 200);
    producer = new LogProducer(sink, { topic: config.kafka.topic, eventsPerSecond: rate, batchSize: 100, progressEveryMs: 5000, onProgress: (p) => say(`[progress] produced ${p.sent} (${p.anomalies} injected anomalies, ${p.rate.toFixed(0)}/s) · stored ${stored} · failed invocations ${failed}`) });
    say(`[producer] ${rate} events/s with injected anomalies (and ${poison.length} poison records) → ${config.kafka.topic}`);
    say(`[local] running — open ${dashboard.url} — Ctrl-C to stop`);
    await producer.run(generateLogEvents({ seed: Date.now() % 2 ** 31, count: Number.MAX_SAFE_INTEGER, start: new Date(), eventsPerSecond: rate, anomalyRate: Number(process.env.ANOMALY_RATE ?? 0.02) }));
  } catch (e) {
    console.error(`[local] ${(e as Error).message}`);
    await shutdown(1);
  }
}

main().catch((e: Error) => {
  console.error(`[local] ${e.message}`);
  process.exit(1);
});
