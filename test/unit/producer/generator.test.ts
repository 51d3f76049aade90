import { parseLogEvent, encodeLogEvent } from "../../../lib/log-event";
import { ANOMALY_KINDS, diurnalFactor, generateLogEvents, poisonMessages } from "../../../producer/generator";

describe("generateLogEvents", () => {
  it("is reproducible for a seed and differs across seeds", () => {
    const a = [...generateLogEvents({ seed: 7, count: 200, anomalyRate: 0.05 })];
    const b = [...generateLogEvents({ seed: 7, count: 200, anomalyRate: 0.05 })];
    const c = [...generateLogEvents({ seed: 8, count: 200, anomalyRate: 0.05 })];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("yields only valid log events with increasing timestamps", () => {
    let prev = "";
    for (const { event } of generateLogEvents({ seed: 1, count: 5000, anomalyRate: 0.02 })) {
      const r = parseLogEvent(encodeLogEvent(event), 65536);
      expect(r.ok).toBe(true);
      expect(event.timestamp >= prev).toBe(true);
      prev = event.timestamp;
    }
  });

  it("injects every kind near the requested rate, and none at rate 0", () => {
    const logs = [...generateLogEvents({ seed: 3, count: 20000, anomalyRate: 0.02 })];
    const tagged = logs.filter((l) => l.anomaly);
    expect(tagged.length / logs.length).toBeGreaterThan(0.01);
    expect(tagged.length / logs.length).toBeLessThan(0.04);
    expect(new Set(tagged.map((l) => l.anomaly))).toEqual(new Set(ANOMALY_KINDS));
    expect([...generateLogEvents({ seed: 3, count: 5000 })].some((l) => l.anomaly)).toBe(false);
  });

  it("makes anomalies look different from normal traffic", () => {
    const logs = [...generateLogEvents({ seed: 5, count: 30000, anomalyRate: 0.03 })];
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const normal = logs.filter((l) => !l.anomaly);
    const spikes = logs.filter((l) => l.anomaly === "latency-spike");
    expect(median(spikes.map((l) => l.event.latencyMs))).toBeGreaterThan(10 * median(normal.map((l) => l.event.latencyMs)));
    const errors = logs.filter((l) => l.anomaly === "error-burst");
    expect(errors.every((l) => l.event.status >= 500)).toBe(true);
    expect(normal.filter((l) => l.event.status >= 500).length / normal.length).toBeLessThan(0.01);
  });

  it("follows a daily load curve", () => {
    expect(diurnalFactor(new Date("2026-01-01T15:00:00Z"))).toBeGreaterThan(1.5);
    expect(diurnalFactor(new Date("2026-01-01T03:00:00Z"))).toBeLessThan(0.5);
  });

  it("rejects bad options", () => {
    expect(() => generateLogEvents({ seed: 1, count: 1, anomalyRate: 2 }).next()).toThrow(/anomalyRate/);
    expect(() => generateLogEvents({ seed: 1, count: 1, eventsPerSecond: 0 }).next()).toThrow(/eventsPerSecond/);
  });
});

describe("poisonMessages", () => {
  it("each message is rejected for the reason it claims", () => {
    const msgs = poisonMessages(11, 14, 65536);
    expect(new Set(msgs.map((m) => m.expectedReason)).size).toBe(7);
    for (const m of msgs) {
      const r = parseLogEvent(m.value, 65536);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toBe(m.expectedReason);
    }
  });
});
