import { encodeLogEvent, LogEvent, parseLogEvent } from "../../lib/log-event";
import { extractFeatures, FEATURE_DIM, featuresAreFinite } from "../../lib/features";

const good: LogEvent = {
  timestamp: "2026-11-25T06:00:00.000Z",
  service: "checkout",
  endpoint: "/api/orders/{id}",
  method: "GET",
  status: 200,
  latencyMs: 42.5,
  bytes: 1830,
  host: "ip-10-40-1-7",
  pod: "checkout-7d9f-abcde",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  level: "INFO",
  message: "GET /api/orders/123 200",
};

describe("parseLogEvent", () => {
  it("accepts a valid event and round-trips it", () => {
    const r = parseLogEvent(encodeLogEvent(good), 65536);
    expect(r).toEqual({ ok: true, event: good });
  });

  it.each([
    [Buffer.alloc(0), "empty"],
    [Buffer.from([0xff, 0xfe, 0x00, 0x80]), "not-utf8"],
    [Buffer.from("{not json"), "not-json"],
    [Buffer.from("[1,2]"), "not-an-object"],
    [Buffer.from(JSON.stringify({ ...good, status: undefined })), "missing-field"],
    [Buffer.from(JSON.stringify({ ...good, status: 99 })), "invalid-field"],
    [Buffer.from(JSON.stringify({ ...good, latencyMs: -1 })), "invalid-field"],
    [Buffer.from(JSON.stringify({ ...good, level: "FATAL" })), "invalid-field"],
    [Buffer.from(JSON.stringify({ ...good, timestamp: "yesterday" })), "invalid-field"],
    [Buffer.alloc(70000, 0x20), "too-large"],
  ])("rejects %#: %s", (bytes, reason) => {
    const r = parseLogEvent(bytes, 65536);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });
});

describe("extractFeatures", () => {
  it("is finite, of the declared dimension, and separates a latency spike", () => {
    const normal = extractFeatures(good);
    const spike = extractFeatures({ ...good, latencyMs: 9000 });
    expect(normal).toHaveLength(FEATURE_DIM);
    expect(featuresAreFinite(normal)).toBe(true);
    expect(spike[0] - normal[0]).toBeGreaterThan(5);
    expect(normal[5] ** 2 + normal[6] ** 2).toBeCloseTo(1, 9);
  });
});
