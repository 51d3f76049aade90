/**
 * Where the producer sends messages. kafkajs is the card's client, but it has had no release since
 * 2023 and Kafka 4 dropped old protocol versions, so it sits behind this small interface: swapping
 * it (for @confluentinc/kafka-javascript, say) touches this file only. The integration tests prove
 * the kafkajs implementation against the Kafka version the project deploys.
 */
import { CompressionTypes, Kafka, logLevel, Partitioners, type ICustomPartitioner, type Producer } from "kafkajs";

export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LogSink {
  connect(): Promise<void>;
  /**
   * Sends a batch; resolves once the broker acknowledged all of it (acks=all). May be called
   * again before an earlier call settled: messages of one key are written in call order (a
   * failed call's messages may be missing, the others are never reordered).
   */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Waits for nothing more than what `send` already awaited, then closes. */
  disconnect(): Promise<void>;
}

export interface KafkaSinkOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** gzip is built into kafkajs; snappy/lz4/zstd need native codecs we do not ship. */
  readonly compression?: "none" | "gzip";
  /** How long to keep retrying a failed send before it fails, ms. */
  readonly retryBudgetMs?: number;
  readonly connectionTimeoutMs?: number;
}

/** kafkajs logs through this, so retries are visible without its per-request noise. */
function quietLogCreator() {
  return ({ level, log }: { level: number; log: { message: string; error?: string } }) => {
    if (level <= logLevel.ERROR && !/coordinator is (loading|not available)|not the leader|leadership election/i.test(log.error ?? "")) {
      process.stderr.write(`[kafkajs] ${log.message}${log.error ? `: ${log.error}` : ""}\n`);
    }
  };
}

/**
 * kafkajs's default (Java-compatible murmur2) partitioner, remembering each key's partition.
 * The default one hashes the key again and copies the partition list for every message; our keys
 * are a handful of service names, so a lookup does. Same partitions as the default, always.
 */
export const keyCachingPartitioner: ICustomPartitioner = () => {
  const byDefault = Partitioners.DefaultPartitioner();
  const cache = new Map<string, number>();
  return (args) => {
    const { partitionMetadata, message } = args;
    if (message.partition != null || message.key == null) return byDefault(args);
    // The partition depends on the key and the partition count, nothing else.
    const id = `${partitionMetadata.length}\u0000${message.key.toString()}`;
    let p = cache.get(id);
    if (p === undefined) {
      p = byDefault(args);
      if (cache.size >= 10_000) cache.clear(); // many distinct keys: keep memory bounded
      cache.set(id, p);
    }
    return p;
  };
};

export class KafkaSink implements LogSink {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;
  private readonly brokers: readonly string[];
  private previous: Promise<unknown> = Promise.resolve();

  constructor(opts: KafkaSinkOptions) {
    if (opts.brokers.length === 0) throw new Error("KafkaSink: brokers must name at least one host:port");
    this.brokers = opts.brokers;
    const budget = opts.retryBudgetMs ?? 60_000;
    const kafka = new Kafka({
      clientId: opts.clientId ?? "log-producer",
      brokers: [...opts.brokers],
      connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
      logLevel: logLevel.ERROR,
      logCreator: quietLogCreator,
      // Exponential backoff from 300 ms, capped at 5 s, within the budget.
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: Math.max(1, Math.ceil(budget / 5_000)) },
    });
    // Idempotent: the broker de-duplicates retried batches, so a retry never writes a message twice
    // (this needs acks=all and at most 5 in-flight requests).
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: true, createPartitioner: keyCachingPartitioner });
    this.compression = opts.compression === "none" ? CompressionTypes.None : CompressionTypes.GZIP;
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (e) {
      throw new Error(`cannot connect to Kafka at ${this.brokers.join(",")}: ${(e as Error).message}`);
    }
  }

  /** Sends one at a time: kafkajs does not promise that two concurrent sends keep their order. */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    const run = () =>
      this.producer
        .send({
          topic,
          acks: -1,
          compression: this.compression,
          // kafkajs only reads the messages (it spreads each into its record): no copy per message here.
          messages: messages as OutgoingMessage[],
        })
        .then(() => undefined);
    const done = this.previous.then(run);
    this.previous = done.catch(() => undefined);
    return done;
  }

  async disconnect(): Promise<void> {
    await this.previous;
    await this.producer.disconnect();
  }
}
