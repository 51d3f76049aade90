import { MessageChannel } from "node:worker_threads";
import { assignKeys, packMessages, ParallelKafkaSink, splitBatch, unpackMessages, type PackedMessages } from "../../../producer/parallel-sink";
import type { OutgoingMessage } from "../../../producer/sink";

const msg = (key: string, n: number): OutgoingMessage => ({ key, value: Buffer.from(`${key}-${n}`) });

describe("assignKeys", () => {
  it("puts the largest keys first, each on the least-loaded worker", () => {
    // The generator's four services (47/26/18/8 %) on two workers: 47 against 26+18+8.
    expect(assignKeys([26, 47, 8, 18], 2)).toEqual([1, 0, 1, 1]);
    // Ties go to the lowest worker; more workers than keys leaves some idle.
    expect(assignKeys([5, 5, 5], 2)).toEqual([0, 1, 0]);
    expect(assignKeys([3, 1], 4)).toEqual([0, 1]);
    expect(assignKeys([], 3)).toEqual([]);
  });

  it("keeps a pinned key on its bin and balances the others around it", () => {
    // The biggest key (47) is pinned to bin 1: 26, 18 and 8 all go to bin 0 (never above 47 before the last).
    expect(assignKeys([47, 26, 18, 8], 2, [1, undefined, undefined, undefined])).toEqual([1, 0, 0, 0]);
    // Two keys pinned to one bin: everything free goes to the other.
    expect(assignKeys([10, 10, 5, 5], 2, [0, 0])).toEqual([0, 0, 1, 1]);
    expect(() => assignKeys([1], 2, [2])).toThrow(/pinned bin 2 of key 0 is not one of the 2 bins/);
  });

  it("refuses a worker count that is not a positive integer", () => {
    expect(() => assignKeys([1], 0)).toThrow(/positive integer, got 0/);
    expect(() => assignKeys([1], 1.5)).toThrow(/positive integer, got 1.5/);
  });
});

describe("splitBatch", () => {
  it("keeps every message once, a key on one worker, and each key's order", () => {
    const batch = [msg("a", 1), msg("b", 1), msg("a", 2), msg("c", 1), msg("a", 3), msg("b", 2)];
    const { parts, keys } = splitBatch(batch, 2);
    expect(parts.flat()).toHaveLength(batch.length);
    expect(new Set(parts.flat())).toEqual(new Set(batch));
    // a (3 messages) alone; b and c (2 + 1) together.
    expect(parts[0].map((m) => m.value.toString())).toEqual(["a-1", "a-2", "a-3"]);
    expect(parts[1].map((m) => m.value.toString())).toEqual(["b-1", "b-2", "c-1"]);
    expect(keys).toEqual([["a"], ["b", "c"]]);
  });

  it("with one worker is the whole batch, in key groups", () => {
    const batch = [msg("x", 1), msg("y", 1), msg("x", 2)];
    expect(splitBatch(batch, 1).parts[0].map((m) => m.value.toString())).toEqual(["x-1", "x-2", "y-1"]);
  });

  it("leaves a pinned key on the worker it is pinned to", () => {
    const batch = [msg("a", 1), msg("b", 1), msg("a", 2), msg("a", 3)];
    // Unpinned, a (the biggest) would take worker 0; pinned to 1 it stays there and b goes to 0.
    const { parts, keys } = splitBatch(batch, 2, (k) => (k === "a" ? 1 : undefined));
    expect(keys).toEqual([["b"], ["a"]]);
    expect(parts[1].map((m) => m.value.toString())).toEqual(["a-1", "a-2", "a-3"]);
  });
});

describe("packMessages / unpackMessages", () => {
  it("round-trips keys, values and headers in one transferable buffer", async () => {
    const batch: OutgoingMessage[] = [
      { key: "svc-a", value: Buffer.from("first") },
      { key: "svc-b", value: Buffer.from("second, ünïcode") , headers: { "anomaly-kind": "latency_spike" } },
      { key: "svc-a", value: Buffer.alloc(0) },
      { key: "svc-a", value: Buffer.from("last") },
    ];
    const packed = packMessages(batch);
    expect(packed.keyTable).toEqual(["svc-a", "svc-b"]);
    expect(packed.values.byteLength).toBe(batch.reduce((n, m) => n + m.value.length, 0));
    // What the worker gets after a structured clone with the values transferred.
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<PackedMessages>((resolve) => port2.once("message", resolve));
    port1.postMessage(packed, [packed.values]);
    const back = unpackMessages(await received);
    port1.close();
    expect(packed.values.byteLength).toBe(0); // moved, not copied
    expect(back.map((m) => [m.key, m.value.toString(), m.headers])).toEqual(batch.map((m) => [m.key, m.value.toString(), m.headers]));
    expect(back.every((m) => Buffer.isBuffer(m.value))).toBe(true);
  });
});

describe("ParallelKafkaSink", () => {
  it("checks its options and refuses to send before it is connected", async () => {
    expect(() => new ParallelKafkaSink({ brokers: ["127.0.0.1:9092"], workers: 0 })).toThrow(/integer from 1 to 64, got 0/);
    expect(() => new ParallelKafkaSink({ brokers: [], workers: 2 })).toThrow(/brokers must name at least one/);
    await expect(new ParallelKafkaSink({ brokers: ["127.0.0.1:9092"] }).send("t", [msg("a", 1)])).rejects.toThrow(/send before connect/);
  });
});
