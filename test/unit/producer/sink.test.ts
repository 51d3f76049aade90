import { Partitioners, type PartitionMetadata } from "kafkajs";
import { keyCachingPartitioner } from "../../../producer/sink";

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0, offlineReplicas: [] }));

describe("keyCachingPartitioner", () => {
  it("picks the same partition as kafkajs's default for every key, also when asked again and after the partition count changes", () => {
    const cached = keyCachingPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const keys = ["catalog", "auth", "checkout", "search", ...Array.from({ length: 500 }, (_, i) => `key-${i}`)];
    const spread = new Set<number>();
    for (const n of [6, 6, 12, 1]) {
      for (const key of keys) {
        const args = { topic: "logs", partitionMetadata: partitions(n), message: { key, value: "v" } };
        const p = cached(args);
        expect(p).toBe(reference(args));
        if (n === 12) spread.add(p);
      }
    }
    // The keys really spread (the comparison above is not between two constants).
    expect(spread.size).toBe(12);
  });

  it("leaves an explicit partition and key-less messages to the default rules", () => {
    const cached = keyCachingPartitioner();
    expect(cached({ topic: "logs", partitionMetadata: partitions(6), message: { key: "catalog", value: "v", partition: 4 } })).toBe(4);
    // No key: round robin over the partitions, so consecutive messages do not all land on one.
    const seen = new Set(Array.from({ length: 12 }, () => cached({ topic: "logs", partitionMetadata: partitions(6), message: { value: "v" } })));
    expect(seen.size).toBe(6);
  });
});
