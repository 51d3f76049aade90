import { HEADER_ANOMALY_KIND, parseLogEvent } from "../../../lib/log-event";
import { generateLogEvents } from "../../../producer/generator";
import { LogProducer, toMessage } from "../../../producer/producer";
import type { LogSink, OutgoingMessage } from "../../../producer/sink";

/** An in-memory sink that records batches and can fail on demand. */
class RecordingSink implements LogSink {
  batches: OutgoingMessage[][] = [];
  failNext = 0;
  async connect() {}
  async disconnect() {}
  async send(_topic: string, messages: readonly OutgoingMessage[]) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("broker unavailable");
    }
    this.batches.push([...messages]);
  }
}

describe("LogProducer", () => {
  it("keys by service, tags anomalies in a header and sends every event once", async () => {
    const logs = [...generateLogEvents({ seed: 2, count: 1234, anomalyRate: 0.05 })];
    const sink = new RecordingSink();
    const r = await new LogProducer(sink, { topic: "t", eventsPerSecond: 0, batchSize: 100 }).run(logs);
    expect(r).toMatchObject({ sent: 1234, errors: 0, anomalies: logs.filter((l) => l.anomaly).length });
    const all = sink.batches.flat();
    expect(all.map((m) => (parseLogEvent(m.value, 65536) as any).event.traceId)).toEqual(logs.map((l) => l.event.traceId));
    expect(all.every((m, i) => m.key === logs[i].event.service)).toBe(true);
    expect(all.filter((m) => m.headers?.[HEADER_ANOMALY_KIND]).length).toBe(r.anomalies);
    // The anomaly tag is the only header, and only anomalies carry one.
    expect(all.every((m, i) => (logs[i].anomaly ? JSON.stringify(m.headers) === JSON.stringify({ [HEADER_ANOMALY_KIND]: logs[i].anomaly }) : m.headers === undefined))).toBe(true);
    expect(Math.max(...sink.batches.map((b) => b.length))).toBe(100);
  });

  /** Three batches of 100 through a sink whose sends take 20 ms; returns what happened, in order. */
  async function traceBatches(maxInFlightBatches?: number): Promise<{ events: string[]; ids: string[]; maxConcurrent: number }> {
    const logs = [...generateLogEvents({ seed: 4, count: 300 })];
    const events: string[] = [];
    let inSend = 0;
    let maxConcurrent = 0;
    const sink: LogSink = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async (_t, messages) => {
        maxConcurrent = Math.max(maxConcurrent, ++inSend);
        const id = (parseLogEvent(messages[0].value, 65536) as any).event.traceId;
        events.push(`send ${id}`);
        await new Promise((r) => setTimeout(r, 20));
        events.push(`done ${id}`);
        inSend--;
      },
    };
    // The source notes when the producer takes each batch's first log.
    function* source() {
      for (let i = 0; i < logs.length; i++) {
        if (i % 100 === 0) events.push(`take ${logs[i].event.traceId}`);
        yield logs[i];
      }
    }
    const r = await new LogProducer(sink, { topic: "t", eventsPerSecond: 0, batchSize: 100, maxInFlightBatches }).run(source());
    expect(r.sent).toBe(300);
    // run resolved only after every send was done.
    expect(inSend).toBe(0);
    return { events, ids: [0, 100, 200].map((i) => logs[i].event.traceId), maxConcurrent };
  }

  it("with maxInFlightBatches 1, builds the next batch while one is in flight but sends one at a time", async () => {
    const { events, ids: [a, b, c], maxConcurrent } = await traceBatches(1);
    expect(maxConcurrent).toBe(1);
    // Batch 2 is built (up to taking batch 3's first log) while batch 1 is in flight; each send
    // starts only after the one before is done.
    expect(events).toEqual([`take ${a}`, `take ${b}`, `send ${a}`, `take ${c}`, `done ${a}`, `send ${b}`, `done ${b}`, `send ${c}`, `done ${c}`]);
  });

  it("by default hands the sink a second batch before the first is acknowledged, never a third", async () => {
    const { events, ids: [a, b, c], maxConcurrent } = await traceBatches();
    expect(maxConcurrent).toBe(2);
    // Batches go out in order; the third waits for the first to be done.
    expect(events).toEqual([`take ${a}`, `take ${b}`, `send ${a}`, `take ${c}`, `send ${b}`, `done ${a}`, `send ${c}`, `done ${b}`, `done ${c}`]);
  });

  it("refuses a maxInFlightBatches that is not a positive integer", async () => {
    await expect(new LogProducer(new RecordingSink(), { topic: "t", eventsPerSecond: 0, maxInFlightBatches: 0 }).run([])).rejects.toThrow(/maxInFlightBatches must be a positive integer, got 0/);
  });

  it("never builds a batch over maxBatchBytes", async () => {
    const logs = [...generateLogEvents({ seed: 3, count: 500 })];
    const one = toMessage(logs[0]).value.length;
    const sink = new RecordingSink();
    await new LogProducer(sink, { topic: "t", eventsPerSecond: 0, batchSize: 1000, maxBatchBytes: one * 10 }).run(logs);
    for (const b of sink.batches) expect(b.reduce((n, m) => n + m.value.length, 0)).toBeLessThanOrEqual(one * 12);
    expect(sink.batches.flat()).toHaveLength(500);
  });

  it("paces to the target rate", async () => {
    const sink = new RecordingSink();
    const t0 = Date.now();
    await new LogProducer(sink, { topic: "t", eventsPerSecond: 1000, batchSize: 50 }).run(generateLogEvents({ seed: 4, count: 300 }));
    // 300 events at 1,000/s cannot finish in much less than 0.3 s.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it("counts a failed batch as errors and gives up after consecutive failures", async () => {
    const sink = new RecordingSink();
    sink.failNext = 1;
    const errors: number[] = [];
    const r = await new LogProducer(sink, { topic: "t", eventsPerSecond: 0, batchSize: 10, onError: (_e, n) => errors.push(n) }).run(generateLogEvents({ seed: 5, count: 30 }));
    expect(r).toMatchObject({ sent: 20, errors: 10 });
    expect(errors).toEqual([10]);
    sink.failNext = 5;
    await expect(new LogProducer(sink, { topic: "t", eventsPerSecond: 0, batchSize: 10, maxConsecutiveFailures: 2 }).run(generateLogEvents({ seed: 5, count: 50 }))).rejects.toThrow(
      /giving up after 2 failed batches/,
    );
  });

  it("stop() finishes the batches in flight and sends what was already taken", async () => {
    const sink = new RecordingSink();
    const p = new LogProducer(sink, { topic: "t", eventsPerSecond: 2000, batchSize: 10 });
    const run = p.run(generateLogEvents({ seed: 6, count: 100_000 }));
    await new Promise((r) => setTimeout(r, 100));
    p.stop();
    const r = await run;
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThan(100_000);
    expect(sink.batches.flat()).toHaveLength(r.sent);
  });
});
