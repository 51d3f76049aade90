/**
 * A LogSink that spreads each batch over several worker threads, each with its own idempotent
 * kafkajs producer. kafkajs encodes on the thread that calls it and is CPU-bound there (garbage
 * collection, buffer copies and a JavaScript CRC32C); Java's client has a sender thread for that.
 *
 * Order per key is kept: all of a batch's messages with one key go to one worker, in order, and
 * a batch is sent only after the previous one was acknowledged, so no two producers ever hold
 * messages of one key at the same time. Between batches nothing is in flight, which lets every
 * batch re-balance its keys over the workers (largest first, onto the least-loaded worker).
 */
import { isMainThread, parentPort, workerData, type Worker } from "node:worker_threads";
import { spawnWorker } from "../lib/worker-thread";
import { KafkaSink, type KafkaSinkOptions, type LogSink, type OutgoingMessage } from "./sink";

export interface ParallelKafkaSinkOptions extends KafkaSinkOptions {
  /** Worker threads, each with one producer. @default 2 */
  readonly workers?: number;
}

/**
 * Assigns keys (with their message counts) to `workers` bins so that the largest bin is small:
 * keys by count, largest first, each onto the currently least-loaded bin (ties: lowest index).
 * Returns the bin of each key, in the order the keys were given.
 */
export function assignKeys(counts: readonly number[], workers: number): number[] {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const load = new Array<number>(workers).fill(0);
  const bin = new Array<number>(counts.length);
  const order = counts.map((_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  for (const k of order) {
    let best = 0;
    for (let w = 1; w < workers; w++) if (load[w] < load[best]) best = w;
    bin[k] = best;
    load[best] += counts[k];
  }
  return bin;
}

/** Splits a batch by key onto workers (see assignKeys); each part keeps the batch's order. */
export function splitBatch(messages: readonly OutgoingMessage[], workers: number): OutgoingMessage[][] {
  const byKey = new Map<string, OutgoingMessage[]>();
  for (const m of messages) {
    const list = byKey.get(m.key);
    if (list) list.push(m);
    else byKey.set(m.key, [m]);
  }
  const groups = [...byKey.values()];
  const bins = assignKeys(
    groups.map((g) => g.length),
    workers,
  );
  const parts: OutgoingMessage[][] = Array.from({ length: workers }, () => []);
  // Messages of different keys may interleave differently than in the batch: only per-key order is promised.
  groups.forEach((g, i) => parts[bins[i]].push(...g));
  return parts;
}

type Op = { op: "connect" } | { op: "disconnect" } | { op: "send"; topic: string; messages: OutgoingMessage[] };
type Request = Op & { id: number };
type Reply = { id: number; ok: true } | { id: number; ok: false; error: string };

const WORKER_ROLE = "parallel-kafka-sink";

export class ParallelKafkaSink implements LogSink {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closing = false;
  /** Set once a worker died: every later call fails with it instead of waiting forever. */
  private broken: Error | undefined;
  /** Sends run one after another whoever calls them: per-key order depends on it. */
  private chain: Promise<unknown> = Promise.resolve();

  private readonly size: number;

  constructor(private readonly opts: ParallelKafkaSinkOptions) {
    this.size = opts.workers ?? 2;
    if (!Number.isInteger(this.size) || this.size < 1 || this.size > 64) throw new RangeError(`workers must be an integer from 1 to 64, got ${this.size}`);
    if (opts.brokers.length === 0) throw new Error("KafkaSink: brokers must name at least one host:port");
  }

  private call(w: Worker, req: Op): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...req, id });
    });
  }

  /** A worker died: fail what waits on any worker (the batch cannot complete) and what comes. */
  private fail(e: Error): void {
    this.broken ??= e;
    for (const p of this.pending.values()) p.reject(this.broken);
    this.pending.clear();
  }

  async connect(): Promise<void> {
    const { workers: _workers, ...sinkOptions } = this.opts;
    for (let i = 0; i < this.size; i++) {
      const w = spawnWorker(__filename, { workerData: { role: WORKER_ROLE, options: { ...sinkOptions, clientId: `${sinkOptions.clientId ?? "log-producer"}-${i}` } } });
      w.on("message", (r: Reply) => {
        const p = this.pending.get(r.id);
        if (!p) return;
        this.pending.delete(r.id);
        if (r.ok) p.resolve();
        else p.reject(new Error(r.error));
      });
      w.on("error", (e) => this.fail(new Error(`producer worker ${i} failed: ${e.message}`)));
      w.on("exit", (code) => {
        if (!this.closing) this.fail(new Error(`producer worker ${i} exited (code ${code})`));
      });
      this.workers.push(w);
    }
    try {
      await Promise.all(this.workers.map((w) => this.call(w, { op: "connect" })));
    } catch (e) {
      this.closing = true;
      await Promise.all(this.workers.map((w) => w.terminate()));
      this.workers.length = 0;
      throw e;
    }
  }

  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    const run = async () => {
      if (this.workers.length === 0) throw new Error("ParallelKafkaSink: send before connect (or after disconnect)");
      const parts = splitBatch(messages, this.workers.length);
      const results = await Promise.allSettled(parts.map((part, i) => (part.length > 0 ? this.call(this.workers[i], { op: "send", topic, messages: part }) : Promise.resolve())));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    };
    const done = this.chain.then(run, run);
    this.chain = done.catch(() => undefined);
    return done;
  }

  async disconnect(): Promise<void> {
    await this.chain;
    this.closing = true;
    try {
      await Promise.all(this.workers.map((w) => this.call(w, { op: "disconnect" })));
    } finally {
      await Promise.all(this.workers.map((w) => w.terminate()));
      this.workers.length = 0;
    }
  }
}

/** The worker side: one KafkaSink, driven by messages from the parent. */
function serveWorker(): void {
  const port = parentPort!;
  const sink = new KafkaSink((workerData as { options: KafkaSinkOptions }).options);
  const handle = (req: Request): Promise<void> => {
    if (req.op === "connect") return sink.connect();
    if (req.op === "disconnect") return sink.disconnect();
    // Values arrive as Uint8Array (structured clone); kafkajs wants Buffers: wrap, no copy.
    return sink.send(
      req.topic,
      req.messages.map((m) => ({ ...m, value: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength) })),
    );
  };
  port.on("message", (req: Request) => {
    handle(req).then(
      () => port.postMessage({ id: req.id, ok: true } satisfies Reply),
      (e: Error) => port.postMessage({ id: req.id, ok: false, error: e.message } satisfies Reply),
    );
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) serveWorker();
