/**
 * End to end on one machine: producer → Kafka → poller (the event source mapping's role) → the
 * unmodified handler → RCF model server → local DynamoDB (dynalite). 20,000 events with injected anomalies
 * and poison records; the poller is restarted mid-run. Every record must end up stored exactly
 * once (scored or rejected), and detection quality on the injected anomalies is reported.
 */
import { join } from "node:path";
import { loadConfig } from "../../lib/config";
import { HEADER_ANOMALY_KIND } from "../../lib/log-event";
import { wipeKafkaData } from "../../lib/kafka-local";
import { scanAll, startLocalPipeline, type LocalPipeline } from "../../lib/local/pipeline";
import { generateLogEvents, poisonMessages } from "../../producer/generator";
import { LogProducer } from "../../producer/producer";
import { KafkaSink } from "../../producer/sink";

jest.setTimeout(600_000);

const N = 20_000;
const config = loadConfig({ env: {} });
const dataDir = join(".cache", `e2e-kafka-${process.pid}`);
let pipeline: LocalPipeline;

beforeAll(async () => {
  pipeline = await startLocalPipeline({ config, freePorts: true, kafkaDataDir: dataDir });
});
afterAll(async () => {
  await pipeline?.stop();
  wipeKafkaData(dataDir);
});

async function waitForRows(expected: number, timeoutMs: number): Promise<Record<string, any>[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const items = await scanAll(pipeline.doc, pipeline.tableName);
    if (items.length >= expected || Date.now() > until) return items;
    await new Promise((r) => setTimeout(r, 3000));
  }
}

it("stores every record exactly once, dead-letters every poison record, and detects injected anomalies", async () => {
  const sent = [...generateLogEvents({ seed: 2026, count: N, start: new Date(), anomalyRate: 0.02 })];
  const poison = poisonMessages(7, 60, config.lambda.maxRecordBytes);
  const sink = new KafkaSink({ brokers: pipeline.brokers });
  await sink.connect();
  const producer = new LogProducer(sink, { topic: config.kafka.topic, eventsPerSecond: 0, batchSize: 500 });
  await producer.run(sent.slice(0, N / 2));
  await sink.send(config.kafka.topic, poison.map((p, i) => ({ key: `poison-${i % 3}`, value: p.value, headers: { "poison-reason": p.expectedReason } })));
  // Restart the poller mid-run: whatever it had not committed is delivered again.
  await waitForRows(2000, 120_000);
  await pipeline.restartPoller();
  await producer.run(sent.slice(N / 2));
  await sink.disconnect();

  const items = await waitForRows(N + poison.length, 480_000);
  const scored = items.filter((i) => i.status === "scored");
  const rejected = items.filter((i) => i.status === "rejected");
  expect(scored).toHaveLength(N);
  expect(rejected).toHaveLength(poison.length);
  // None lost, none duplicated: every sent trace id once among the scored items.
  expect(new Set(scored.map((i) => i.event.traceId)).size).toBe(N);
  expect(new Set(sent.map((s) => s.event.traceId))).toEqual(new Set(scored.map((i) => i.event.traceId)));
  // Every poison record dead-lettered with the reason it was made for, and its raw bytes.
  for (const r of rejected) {
    expect(r.reason).toBe(r.headers["poison-reason"]);
    expect(typeof r.rawBase64).toBe("string");
  }

  // Detection quality per injected kind, at the configured threshold.
  const byKind = new Map<string, { tp: number; n: number }>();
  let tp = 0;
  let fp = 0;
  let injected = 0;
  for (const i of scored) {
    const kind = i.headers[HEADER_ANOMALY_KIND];
    if (kind) {
      injected++;
      const k = byKind.get(kind) ?? { tp: 0, n: 0 };
      k.n++;
      if (i.anomaly) {
        k.tp++;
        tp++;
      }
      byKind.set(kind, k);
    } else if (i.anomaly) fp++;
  }
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / injected;
  const lines = [...byKind].map(([k, v]) => `${k}: recall ${(v.tp / v.n).toFixed(3)} (${v.tp}/${v.n})`);
  process.stderr.write(`[e2e] threshold ${pipeline.threshold.toFixed(3)}; ${injected} injected, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}\n[e2e] ${lines.join("; ")}\n`);
  // Floors (measured ~0.99/1.0/1.0 recall and ~0.4 precision): per-event features make latency
  // spikes, error bursts and odd payloads stand out, so their recall must stay ≥ 0.9. A traffic
  // surge changes only the rate, which no per-event feature carries: reported, no floor. The
  // normal traffic's own rare 4xx/5xx responses (≈2.4% of it) score high too, which bounds
  // precision at this 2% anomaly share: floor 0.3, and at most 5% of normal events flagged.
  for (const kind of ["latency-spike", "error-burst", "odd-payload"]) expect(byKind.get(kind)!.tp / byKind.get(kind)!.n).toBeGreaterThanOrEqual(0.9);
  expect(precision).toBeGreaterThanOrEqual(0.3);
  expect(fp / (N - injected)).toBeLessThanOrEqual(0.05);
});
