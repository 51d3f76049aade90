import { assignKeys, ParallelKafkaSink, splitBatch } from "../../../producer/parallel-sink";
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

  it("refuses a worker count that is not a positive integer", () => {
    expect(() => assignKeys([1], 0)).toThrow(/positive integer, got 0/);
    expect(() => assignKeys([1], 1.5)).toThrow(/positive integer, got 1.5/);
  });
});

describe("splitBatch", () => {
  it("keeps every message once, a key on one worker, and each key's order", () => {
    const batch = [msg("a", 1), msg("b", 1), msg("a", 2), msg("c", 1), msg("a", 3), msg("b", 2)];
    const parts = splitBatch(batch, 2);
    expect(parts.flat()).toHaveLength(batch.length);
    expect(new Set(parts.flat())).toEqual(new Set(batch));
    // a (3 messages) alone; b and c (2 + 1) together.
    expect(parts[0].map((m) => m.value.toString())).toEqual(["a-1", "a-2", "a-3"]);
    expect(parts[1].map((m) => m.value.toString())).toEqual(["b-1", "b-2", "c-1"]);
  });

  it("with one worker is the whole batch, in key groups", () => {
    const batch = [msg("x", 1), msg("y", 1), msg("x", 2)];
    expect(splitBatch(batch, 1)[0].map((m) => m.value.toString())).toEqual(["x-1", "x-2", "y-1"]);
  });
});

describe("ParallelKafkaSink", () => {
  it("checks its options and refuses to send before it is connected", async () => {
    expect(() => new ParallelKafkaSink({ brokers: ["127.0.0.1:9092"], workers: 0 })).toThrow(/integer from 1 to 64, got 0/);
    expect(() => new ParallelKafkaSink({ brokers: [], workers: 2 })).toThrow(/brokers must name at least one/);
    await expect(new ParallelKafkaSink({ brokers: ["127.0.0.1:9092"] }).send("t", [msg("a", 1)])).rejects.toThrow(/send before connect/);
  });
});
