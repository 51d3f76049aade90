/**
 * A LogSink that spreads each batch over several worker threads, each with its own idempotent
 * kafkajs producer. kafkajs encodes on the thread that calls it and is CPU-bound there (garbage
 * collection, buffer copies and a JavaScript CRC32C); Java's client has a sender thread for that.
 *
 * Order per key is kept without a barrier between batches: a worker sends its parts one after
 * another, in the order they were posted, and a key stays on its worker while any of its messages
 * there are unacknowledged. Only a key with nothing in flight may move (each batch re-balances
 * those keys, largest first, onto the least-loaded worker). So batch k + 1 can be encoded on one
 * worker while batch k waits for the broker on another, and no two producers ever hold messages
 * of one key at the same time.
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
 * A key with a bin in `pinned` stays there (its load counts first). Returns the bin of each key,
 * in the order the keys were given.
 */
export function assignKeys(counts: readonly number[], workers: number, pinned: readonly (number | undefined)[] = []): number[] {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const load = new Array<number>(workers).fill(0);
  const bin = new Array<number>(counts.length);
  counts.forEach((c, k) => {
    const p = pinned[k];
    if (p === undefined) return;
    if (!Number.isInteger(p) || p < 0 || p >= workers) throw new RangeError(`pinned bin ${p} of key ${k} is not one of the ${workers} bins`);
    bin[k] = p;
    load[p] += c;
  });
  const order = counts.map((_, i) => i).filter((k) => pinned[k] === undefined);
  order.sort((a, b) => counts[b] - counts[a] || a - b);
  for (const k of order) {
    let best = 0;
    for (let w = 1; w < workers; w++) if (load[w] < load[best]) best = w;
    bin[k] = best;
    load[best] += counts[k];
  }
  return bin;
}

/** A batch split onto workers: each part keeps the batch's order; `keys[w]` = the keys of part w. */
export interface SplitBatch {
  readonly parts: OutgoingMessage[][];
  readonly keys: string[][];
}

/**
 * Splits a batch by key onto workers (see assignKeys); `pinnedWorker` names the worker a key must
 * stay on, if any. Messages of different keys may interleave differently than in the batch: only
 * per-key order is promised.
 */
export function splitBatch(messages: readonly OutgoingMessage[], workers: number, pinnedWorker: (key: string) => number | undefined = () => undefined): SplitBatch {
  const byKey = new Map<string, OutgoingMessage[]>();
  for (const m of messages) {
    const list = byKey.get(m.key);
    if (list) list.push(m);
    else byKey.set(m.key, [m]);
  }
  const keys = [...byKey.keys()];
  const groups = [...byKey.values()];
  const bins = assignKeys(
    groups.map((g) => g.length),
    workers,
    keys.map(pinnedWorker),
  );
  const split: SplitBatch = { parts: Array.from({ length: workers }, () => []), keys: Array.from({ length: workers }, () => []) };
  groups.forEach((g, i) => {
    split.parts[bins[i]].push(...g);
    split.keys[bins[i]].push(keys[i]);
  });
  return split;
}

/**
 * One worker's share of a batch, packed for postMessage: the values end to end in one
 * ArrayBuffer (transferred, not copied), keys as indices into a table of the distinct keys, and
 * headers only where a message has them. Structured-cloning an array of message objects instead
 * cost the main thread about as much as encoding the events.
 */
export interface PackedMessages {
  readonly count: number;
  readonly values: ArrayBuffer;
  /** ends[i] = end of message i's value in `values` (it starts where message i - 1 ends). */
  readonly ends: Int32Array;
  readonly keyTable: string[];
  readonly keyIndex: Uint32Array;
  /** [message index, headers] for the messages that have headers. */
  readonly headers: [number, Readonly<Record<string, string>>][];
}

export function packMessages(messages: readonly OutgoingMessage[]): PackedMessages {
  let bytes = 0;
  for (const m of messages) bytes += m.value.length;
  const values = new ArrayBuffer(bytes);
  const into = Buffer.from(values);
  const ends = new Int32Array(messages.length);
  const keyTable: string[] = [];
  const keyOf = new Map<string, number>();
  const keyIndex = new Uint32Array(messages.length);
  const headers: [number, Readonly<Record<string, string>>][] = [];
  let at = 0;
  messages.forEach((m, i) => {
    at += m.value.copy(into, at);
    ends[i] = at;
    let k = keyOf.get(m.key);
    if (k === undefined) {
      k = keyTable.push(m.key) - 1;
      keyOf.set(m.key, k);
    }
    keyIndex[i] = k;
    if (m.headers) headers.push([i, m.headers]);
  });
  return { count: messages.length, values, ends, keyTable, keyIndex, headers };
}

/** The messages back, their values views into `packed.values` (no copy). */
export function unpackMessages(packed: PackedMessages): OutgoingMessage[] {
  const out = new Array<OutgoingMessage>(packed.count);
  let start = 0;
  for (let i = 0; i < packed.count; i++) {
    const end = packed.ends[i];
    out[i] = { key: packed.keyTable[packed.keyIndex[i]], value: Buffer.from(packed.values, start, end - start) };
    start = end;
  }
  for (const [i, h] of packed.headers) out[i] = { ...out[i], headers: h };
  return out;
}

type Op = { op: "connect" } | { op: "disconnect" } | { op: "send"; topic: string; packed: PackedMessages };
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
  /** The worker each key was last sent by, and how many of its parts there are unacknowledged. */
  private readonly owner = new Map<string, { worker: number; unacked: number }>();
  private moves = 0;

  private readonly size: number;

  constructor(private readonly opts: ParallelKafkaSinkOptions) {
    this.size = opts.workers ?? 2;
    if (!Number.isInteger(this.size) || this.size < 1 || this.size > 64) throw new RangeError(`workers must be an integer from 1 to 64, got ${this.size}`);
    if (opts.brokers.length === 0) throw new Error("KafkaSink: brokers must name at least one host:port");
  }

  /** How often a key has moved to another worker (balancing; each move waited for its acks). */
  get keyMoves(): number {
    return this.moves;
  }

  private call(w: Worker, req: Op): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...req, id }, req.op === "send" ? [req.packed.values] : []);
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

  /**
   * Splits the batch and posts each part to its worker at once (synchronously, so parts reach
   * each worker in call order); resolves when every part is acknowledged, or rejects with the
   * first failure once all parts have settled. May be called again before an earlier call settled.
   */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.workers.length === 0 || this.closing) return Promise.reject(new Error("ParallelKafkaSink: send before connect (or after disconnect)"));
    const { parts, keys } = splitBatch(messages, this.workers.length, (key) => {
      const o = this.owner.get(key);
      return o && o.unacked > 0 ? o.worker : undefined;
    });
    const calls = parts.map((part, w) => {
      if (part.length === 0) return Promise.resolve();
      for (const key of keys[w]) {
        const o = this.owner.get(key);
        if (o && o.worker === w) o.unacked++;
        else {
          if (o) this.moves++;
          this.owner.set(key, { worker: w, unacked: 1 });
        }
      }
      const settled = () => {
        for (const key of keys[w]) this.owner.get(key)!.unacked--;
      };
      const call = this.call(this.workers[w], { op: "send", topic, packed: packMessages(part) });
      call.then(settled, settled);
      return call;
    });
    return Promise.allSettled(calls).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    });
  }

  /** Each worker's disconnect comes after the parts posted to it, and its KafkaSink finishes those first. */
  async disconnect(): Promise<void> {
    this.closing = true;
    try {
      await Promise.all(this.workers.map((w) => this.call(w, { op: "disconnect" })));
    } finally {
      await Promise.all(this.workers.map((w) => w.terminate()));
      this.workers.length = 0;
    }
  }
}

/**
 * The worker side: one KafkaSink, driven by messages from the parent. Per-key order rests on
 * KafkaSink sending in call order (and disconnecting after its sends): parts are handed to it in
 * the order they were posted.
 */
function serveWorker(): void {
  const port = parentPort!;
  const sink = new KafkaSink((workerData as { options: KafkaSinkOptions }).options);
  const handle = (req: Request): Promise<void> => {
    if (req.op === "connect") return sink.connect();
    if (req.op === "disconnect") return sink.disconnect();
    return sink.send(req.topic, unpackMessages(req.packed));
  };
  port.on("message", (req: Request) => {
    handle(req).then(
      () => port.postMessage({ id: req.id, ok: true } satisfies Reply),
      (e: Error) => port.postMessage({ id: req.id, ok: false, error: e.message } satisfies Reply),
    );
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) serveWorker();
