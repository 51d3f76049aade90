/**
 * The log producer: takes generated logs, batches them, paces them to a target rate and sends
 * them through a LogSink. One service's logs share a key, so they land in one partition in order.
 * Stopping (SIGTERM in the container) finishes the batches in flight and returns the counts.
 */
import { encodeLogEvent, HEADER_ANOMALY_KIND } from "../lib/log-event";
import type { GeneratedLog } from "./generator";
import type { LogSink, OutgoingMessage } from "./sink";

export interface ProducerOptions {
  readonly topic: string;
  /** Target events per second; 0 = as fast as the broker takes them. */
  readonly eventsPerSecond: number;
  /** Messages per send (one produce request per partition leader). */
  readonly batchSize?: number;
  /**
   * Flush before a batch's values pass this many bytes (default 512 KiB). Kafka refuses a
   * record batch over the broker's message.max.bytes (1 MiB by default), and with few keys one
   * partition can receive most of a batch.
   */
  readonly maxBatchBytes?: number;
  /**
   * Batches handed to the sink and not yet acknowledged, at most (default 2). More than one lets a
   * sink that encodes on other threads (ParallelKafkaSink) work on the next batch while one waits
   * for the broker; the sink keeps each key's order across them (see LogSink.send).
   */
  readonly maxInFlightBatches?: number;
  /** Called about every `progressEveryMs` with running totals. */
  readonly onProgress?: (p: ProducerProgress) => void;
  readonly progressEveryMs?: number;
  /** Called for a batch that failed after the sink's retries; the batch counts as errors. */
  readonly onError?: (e: Error, lost: number) => void;
  /** Stop after this many consecutive failed batches (the broker is gone); default 3. */
  readonly maxConsecutiveFailures?: number;
}

export interface ProducerProgress {
  readonly sent: number;
  readonly errors: number;
  readonly anomalies: number;
  readonly elapsedMs: number;
  /** Events per second since the start. */
  readonly rate: number;
}

/** Keyed by service; only an injected anomaly carries a header (its kind). */
export function toMessage(log: GeneratedLog): OutgoingMessage {
  return { key: log.event.service, value: encodeLogEvent(log.event), headers: log.anomaly ? { [HEADER_ANOMALY_KIND]: log.anomaly } : undefined };
}

export function formatProgress(p: ProducerProgress): string {
  return `[producer] sent=${p.sent} anomalies=${p.anomalies} errors=${p.errors} rate=${p.rate.toFixed(0)}/s elapsed=${(p.elapsedMs / 1000).toFixed(1)}s`;
}

export class LogProducer {
  private stopping = false;

  constructor(
    private readonly sink: LogSink,
    private readonly opts: ProducerOptions,
  ) {}

  /** Asks the running `run` to finish the batches in flight and return. */
  stop(): void {
    this.stopping = true;
  }

  /** Sends every log of `source` (or until stopped). Resolves with the final counts. */
  async run(source: Iterable<GeneratedLog>): Promise<ProducerProgress> {
    const batchSize = this.opts.batchSize ?? 500;
    const maxBatchBytes = this.opts.maxBatchBytes ?? 512 * 1024;
    const maxFailures = this.opts.maxConsecutiveFailures ?? 3;
    const maxInFlight = this.opts.maxInFlightBatches ?? 2;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlightBatches must be a positive integer, got ${maxInFlight}`);
    const t0 = Date.now();
    let sent = 0;
    let errors = 0;
    let anomalies = 0;
    let failures = 0;
    let lastProgress = t0;
    const progress = (): ProducerProgress => {
      const elapsedMs = Date.now() - t0;
      return { sent, errors, anomalies, elapsedMs, rate: elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0 };
    };
    const flush = async (batch: OutgoingMessage[], batchAnomalies: number) => {
      try {
        await this.sink.send(this.opts.topic, batch);
        sent += batch.length;
        anomalies += batchAnomalies;
        failures = 0;
      } catch (e) {
        errors += batch.length;
        failures++;
        this.opts.onError?.(e as Error, batch.length);
        if (failures >= maxFailures) throw new Error(`giving up after ${failures} failed batches in a row: ${(e as Error).message}`);
      }
      const now = Date.now();
      if (this.opts.onProgress && now - lastProgress >= (this.opts.progressEveryMs ?? 5000)) {
        lastProgress = now;
        this.opts.onProgress(progress());
      }
      // Pace: the batch that brought us to `sent` should not finish before sent/rate seconds.
      if (this.opts.eventsPerSecond > 0) {
        const due = t0 + ((sent + errors) * 1000) / this.opts.eventsPerSecond;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    };

    let batch: OutgoingMessage[] = [];
    let batchAnomalies = 0;
    let batchBytes = 0;
    // Up to maxInFlight batches are with the sink while the next is built (generated and
    // encoded); the oldest must be acknowledged before another goes out. A flush only rejects to
    // give up: every flush is awaited (here or at the end) before that error leaves run.
    const inFlight: Promise<void>[] = [];
    const settleAll = async () => {
      const results = await Promise.allSettled(inFlight.splice(0));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    };
    const send = async (messages: OutgoingMessage[], messageAnomalies: number) => {
      if (inFlight.length >= maxInFlight) {
        const oldest = inFlight.shift()!;
        try {
          await oldest;
        } catch (e) {
          await settleAll().catch(() => undefined);
          throw e;
        }
      }
      const f = flush(messages, messageAnomalies);
      f.catch(() => undefined); // awaited later; not "unhandled" meanwhile
      inFlight.push(f);
    };
    for (const log of source) {
      if (this.stopping) break;
      const message = toMessage(log);
      if (batch.length > 0 && (batch.length >= batchSize || batchBytes + message.value.length > maxBatchBytes)) {
        await send(batch, batchAnomalies);
        batch = [];
        batchAnomalies = 0;
        batchBytes = 0;
      }
      batch.push(message);
      batchBytes += message.value.length;
      if (log.anomaly) batchAnomalies++;
    }
    if (batch.length > 0) await send(batch, batchAnomalies);
    await settleAll();
    const final = progress();
    this.opts.onProgress?.(final);
    return final;
  }
}
