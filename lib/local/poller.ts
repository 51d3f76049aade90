/**
 * Plays the role of Lambda's self-managed Kafka event source mapping on a laptop: a kafkajs
 * consumer group reads the topic, groups records into batches of at most `batchSize`, waiting
 * up to `batchingWindowMs` to fill one, hands each batch to the handler in exactly the event
 * shape Lambda delivers, and commits offsets only after the handler succeeded. A failed batch
 * (thrown error, or partial batch failures) is not committed and is read again.
 */
import { Kafka, logLevel, type Consumer, type EachBatchPayload } from "kafkajs";
import { buildSelfManagedKafkaEvent, type KafkaBatchResponse, type KafkaRecordInput, type SelfManagedKafkaEvent } from "../kafka-event";

export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId: string;
  readonly functionName: string;
}

export type KafkaHandler = (event: SelfManagedKafkaEvent, context: LambdaContextLike) => Promise<KafkaBatchResponse | void>;

export interface PollerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  /** The function timeout the context reports against. */
  readonly timeoutMs: number;
  readonly handler: KafkaHandler;
  /** Partitions processed at once (Lambda: up to one concurrent invocation per partition). @default 1 */
  readonly concurrency?: number;
  /** Called after every invocation. */
  readonly onBatch?: (b: { records: number; ok: boolean; ms: number; error?: string; kafkaTimestamps: number[]; doneAt: number }) => void;
}

export interface PollerStats {
  invocations: number;
  records: number;
  failedInvocations: number;
}

export class LambdaPoller {
  private consumer?: Consumer;
  /** Set by stop(): no new invocation starts; the running ones finish and their commits land. */
  private stopping = false;
  /** eachBatch calls in progress, and who waits for there to be none. */
  private active = 0;
  private onIdle?: () => void;
  readonly stats: PollerStats = { invocations: 0, records: 0, failedInvocations: 0 };

  constructor(private readonly o: PollerOptions) {}

  async start(): Promise<void> {
    const kafka = new Kafka({ brokers: [...this.o.brokers], clientId: "local-esm", logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: this.o.groupId,
      // The batching window: the broker holds a fetch until it has data or the window passes.
      maxWaitTimeInMs: Math.max(10, this.o.batchingWindowMs),
      minBytes: 1,
      maxBytes: 16 * 1024 * 1024,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Lambda runs one invocation per partition at a time, partitions in parallel.
      partitionsConsumedConcurrently: this.o.concurrency ?? 1,
      eachBatch: async (args) => {
        if (this.stopping) return;
        this.active++;
        try {
          await this.eachBatch(consumer, args);
        } finally {
          if (--this.active === 0) this.onIdle?.();
        }
      },
    });
  }

  private async eachBatch(consumer: Consumer, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    // The previous invocation's offset commit: it runs while the next invocation does (the
    // partition need not wait for the group coordinator's answer), and is awaited before
    // anything else is committed or this batch ends, so commits stay in order.
    let committing: Promise<void> | undefined;
    for (let i = 0; i < batch.messages.length && isRunning() && !isStale() && !this.stopping; i += this.o.batchSize) {
      const chunk = batch.messages.slice(i, i + this.o.batchSize);
      const records: KafkaRecordInput[] = chunk.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key,
        value: m.value,
        headers: m.headers as KafkaRecordInput["headers"],
      }));
      const event = buildSelfManagedKafkaEvent(records, this.o.brokers);
      const t0 = Date.now();
      let failure: string | undefined;
      try {
        const res = await this.o.handler(event, {
          getRemainingTimeInMillis: () => Math.max(0, this.o.timeoutMs - (Date.now() - t0)),
          awsRequestId: `local-${this.stats.invocations}`,
          functionName: "log-processor-local",
        });
        if (res && res.batchItemFailures.length > 0) failure = `partial failure: ${JSON.stringify(res.batchItemFailures)}`;
      } catch (e) {
        failure = (e as Error).message;
      }
      const doneAt = Date.now();
      let commitError: unknown;
      await committing?.catch((e: unknown) => (commitError = e));
      committing = undefined;
      this.stats.invocations++;
      this.o.onBatch?.({ records: chunk.length, ok: failure === undefined, ms: doneAt - t0, error: failure, kafkaTimestamps: chunk.map((m) => Number(m.timestamp)), doneAt });
      if (failure !== undefined) {
        this.stats.failedInvocations++;
        // Not committed: throwing makes kafkajs fetch the partition again from the last
        // resolved offset after its retry backoff, as Lambda retries a failed batch.
        throw new Error(`batch at ${batch.topic}-${batch.partition}@${chunk[0].offset} not stored: ${failure}`);
      }
      // The previous commit failed: what it covered is read again (the handler is idempotent).
      if (commitError !== undefined) throw commitError;
      this.stats.records += chunk.length;
      const last = chunk[chunk.length - 1].offset;
      resolveOffset(last);
      // Committed offset = next offset to read; only ever after the handler succeeded.
      committing = consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      // Awaited above or below; until then a failure must not count as unhandled.
      committing.catch(() => undefined);
      await heartbeat();
    }
    await committing;
  }

  /**
   * Lets the invocations in progress finish and their offsets be committed, then leaves the group.
   * (kafkajs drops a commit issued once its consumer is stopping, so that must come after.)
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.active > 0) await new Promise<void>((r) => (this.onIdle = r));
    await this.consumer?.disconnect();
  }
}
