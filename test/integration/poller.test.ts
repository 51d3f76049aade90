/**
 * The local event source mapping (LambdaPoller) against the real broker of the Jest global setup:
 * batches in the self-managed Kafka event shape, in order per partition, a failed invocation read
 * again (nothing after it skipped), and every offset committed once the handler succeeded — the
 * commit of one invocation runs alongside the next, and all of them are done when the poller stops.
 * Delivery is at least once (as with Lambda), so the test allows records delivered again.
 */
import { Kafka, logLevel } from "kafkajs";
import { eventRecords, type SelfManagedKafkaEvent } from "../../lib/kafka-event";
import { LambdaPoller } from "../../lib/local/poller";

jest.setTimeout(120_000);

const brokers = (process.env.KAFKA_BROKERS ?? "").split(",");
const PARTITIONS = 2;
const PER_PARTITION = 600;

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("LambdaPoller", () => {
  it("delivers every record in order per partition, retries a failed batch, and commits everything by the time it stops", async () => {
    const topic = `poller-${Date.now()}`;
    const groupId = `${topic}-esm`;
    const kafka = new Kafka({ brokers, clientId: "poller-test", logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
      await producer.connect();
      for (let p = 0; p < PARTITIONS; p++) {
        await producer.send({ topic, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ partition: p, key: `k${p}`, value: `${p}:${i}` })) });
      }

      // Successful invocations, per partition, as the handler saw them; the one failing invocation.
      const handled = new Map<number, number[]>();
      const failedOnce: { partition: number; offsets: number[] }[] = [];
      const shapes: SelfManagedKafkaEvent[] = [];
      const poller = new LambdaPoller({
        brokers,
        topic,
        groupId,
        batchSize: 100,
        batchingWindowMs: 100,
        timeoutMs: 30_000,
        concurrency: PARTITIONS,
        handler: async (event) => {
          shapes.push(event);
          const records = eventRecords(event);
          const partition = records[0].partition;
          const offsets = records.map((r) => Number(r.offset));
          // The batch holding offset 250 of partition 1 fails the first time it comes.
          if (partition === 1 && offsets.includes(250) && failedOnce.length === 0) {
            failedOnce.push({ partition, offsets });
            throw new Error("injected failure");
          }
          handled.set(partition, [...(handled.get(partition) ?? []), ...offsets]);
          return { batchItemFailures: [] };
        },
      });
      await poller.start();
      await until(() => [...handled.values()].reduce((n, o) => n + new Set(o).size, 0) >= PARTITIONS * PER_PARTITION, "every record handled");
      await poller.stop();

      for (let p = 0; p < PARTITIONS; p++) {
        // Every record handled successfully, new records in offset order. Delivery is at least
        // once, as with Lambda: a group rebalance before a commit lands may deliver records again.
        const firstSeen = [...new Set(handled.get(p))];
        expect(firstSeen).toEqual(Array.from({ length: PER_PARTITION }, (_, i) => i));
      }
      expect(failedOnce).toHaveLength(1);
      expect(failedOnce[0].offsets.length).toBeGreaterThan(0);
      expect(poller.stats.failedInvocations).toBe(1);
      expect(poller.stats.records).toBe([...handled.values()].reduce((n, o) => n + o.length, 0));
      expect(shapes.every((e) => e.eventSource === "SelfManagedKafka" && e.bootstrapServers === brokers.join(","))).toBe(true);
      expect(Math.max(...shapes.map((e) => eventRecords(e).length))).toBeLessThanOrEqual(100);

      // Committed = next offset to read, for both partitions, once the poller has stopped.
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed[0].partitions.map((x) => [x.partition, x.offset]).sort()).toEqual(
        Array.from({ length: PARTITIONS }, (_, p) => [p, String(PER_PARTITION)]),
      );
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
