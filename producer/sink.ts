/**
 * Where the producer sends messages. kafkajs is the card's client, but it has had no release since
 * 2023 and Kafka 4 dropped old protocol versions, so it sits behind this small interface: swapping
 * it (for @confluentinc/kafka-javascript, say) touches this file only. The integration tests prove
 * the kafkajs implementation against the Kafka version the project deploys.
 */
import { CompressionTypes, Kafka, logLevel, type Producer } from "kafkajs";

export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LogSink {
  connect(): Promise<void>;
  /** Sends a batch; resolves once the broker acknowledged all of it (acks=all). */
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

export class KafkaSink implements LogSink {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;
  private readonly brokers: readonly string[];

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
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: true });
    this.compression = opts.compression === "none" ? CompressionTypes.None : CompressionTypes.GZIP;
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (e) {
      throw new Error(`cannot connect to Kafka at ${this.brokers.join(",")}: ${(e as Error).message}`);
    }
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      compression: this.compression,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers ? { ...m.headers } : undefined })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
