import { classifyRecord, decodeRecord } from "../../../functions/log-processor/decode";
import { buildRejectedLog, deadLetterKey, MAX_HEADER_BYTES, MAX_INLINE_ITEM_BYTES } from "../../../functions/log-processor/decide";
import { toSelfManagedKafkaRecord } from "../../../lib/kafka-event";
import { extractFeatures } from "../../../lib/features";
import { kafkaRecord, logEvent } from "./fixtures";

const now = new Date("2026-11-25T00:00:00.000Z");
const dl = { bucket: "dlq", prefix: "dead-letter" };

describe("decodeRecord / classifyRecord", () => {
  it("decodes key, value and headers; a repeated header keeps its last value", () => {
    const r = decodeRecord(toSelfManagedKafkaRecord({ ...kafkaRecord(4), headers: { a: ["1", "2"], "anomaly-kind": "burst" } }));
    expect(r.key).toBe(logEvent(4).service);
    expect(r.headers).toEqual({ a: "2", "anomaly-kind": "burst" });
    const c = classifyRecord(r, 65536);
    expect(c).toEqual({ ok: true, record: r, event: logEvent(4), features: extractFeatures(logEvent(4)) });
  });
  it("turns binary header bytes into replacement characters instead of failing", () => {
    const r = decodeRecord({ topic: "t", partition: 0, offset: 1, timestamp: 0, timestampType: "CREATE_TIME", headers: [{ h: [0xff, 0x41] }] });
    expect(r.headers.h).toBe("\ufffdA");
    expect(r.raw.length).toBe(0);
    expect(classifyRecord(r, 65536)).toMatchObject({ ok: false, reason: "empty" });
  });
});

describe("buildRejectedLog", () => {
  const rec = (raw: Buffer, headers: Record<string, string> = {}) => ({ topic: "app logs", partition: 2, offset: "42", kafkaTimestamp: 5, headers, raw });

  it("keeps small raw values inline as base64", () => {
    const p = buildRejectedLog(rec(Buffer.from("oops")), "not-json", "bad", now, 30, dl);
    expect(p.s3).toBeUndefined();
    expect(p.item).toMatchObject({ pk: "app logs#2", sk: "00000000000000000042", status: "rejected", reason: "not-json", rawBase64: Buffer.from("oops").toString("base64"), rawBytes: 4 });
  });
  it("sends raw values too large for an item to S3 under the prefix, with a deterministic key", () => {
    const raw = Buffer.alloc(MAX_INLINE_ITEM_BYTES, 1);
    const p = buildRejectedLog(rec(raw), "too-large", "big", now, 30, dl);
    expect(p.s3).toEqual({ key: "dead-letter/app%20logs/2/00000000000000000042.bin", body: raw });
    expect(p.item.rawLocation).toBe("s3://dlq/dead-letter/app%20logs/2/00000000000000000042.bin");
    expect(p.item.rawBase64).toBeUndefined();
    expect(deadLetterKey("dl/", { topic: "t", partition: 0, offset: "1" })).toBe("dl/t/0/00000000000000000001.bin");
    expect(deadLetterKey("", { topic: "t", partition: 0, offset: "1" })).toBe("t/0/00000000000000000001.bin");
  });
  it("drops headers too large to store and says so", () => {
    const p = buildRejectedLog(rec(Buffer.from("x"), { big: "h".repeat(MAX_HEADER_BYTES + 1) }), "not-json", "bad", now, 30, dl);
    expect(p.item.headers).toEqual({});
    expect(p.item.detail).toMatch(/headers of \d+ bytes omitted/);
  });
});
