/**
 * Seeded generator of realistic application logs with injected anomalies.
 *
 * Normal regime: a few services, each with endpoints whose latency is log-normal around its own
 * median, response sizes log-normal around their own median, a baseline error rate, and a diurnal
 * load curve (event spacing shrinks in the afternoon peak). Injected anomalies are tagged so that
 * detection can be scored later (the producer puts the kind in the `anomaly-kind` header).
 *
 * The same seed always yields the same sequence: tests, the training script and benchmarks rely
 * on that.
 */
import type { HttpMethod, LogEvent, LogLevel } from "../lib/log-event";

export const ANOMALY_KINDS = ["latency-spike", "error-burst", "traffic-surge", "odd-payload"] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface GeneratedLog {
  readonly event: LogEvent;
  /** Set when this event is an injected anomaly. */
  readonly anomaly?: AnomalyKind;
}

export interface GenerateOptions {
  readonly seed: number;
  /** How many events to yield. */
  readonly count: number;
  /** Timestamp of the first event; default 2026-01-01T00:00:00Z (fixed, for reproducibility). */
  readonly start?: Date;
  /** Mean event rate used to space timestamps (before the diurnal factor); default 100. */
  readonly eventsPerSecond?: number;
  /** Fraction of events that start an anomaly episode (0 = none); default 0. */
  readonly anomalyRate?: number;
  /** Which kinds to inject; default all. */
  readonly kinds?: readonly AnomalyKind[];
}

/** mulberry32: tiny, fast, good enough for simulation; never Math.random (not seedable). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface EndpointProfile {
  readonly path: string;
  readonly method: HttpMethod;
  /** Median latency, ms, and log-space sigma. */
  readonly latencyMs: number;
  readonly latencySigma: number;
  /** Median response size, bytes, and log-space sigma. */
  readonly bytes: number;
  readonly bytesSigma: number;
  /** Relative traffic weight. */
  readonly weight: number;
}

interface ServiceProfile {
  readonly name: string;
  readonly pods: number;
  readonly endpoints: readonly EndpointProfile[];
}

export const SERVICES: readonly ServiceProfile[] = [
  {
    name: "checkout",
    pods: 3,
    endpoints: [
      { path: "/api/cart", method: "GET", latencyMs: 35, latencySigma: 0.35, bytes: 2200, bytesSigma: 0.3, weight: 5 },
      { path: "/api/orders", method: "POST", latencyMs: 120, latencySigma: 0.4, bytes: 900, bytesSigma: 0.2, weight: 2 },
      { path: "/api/orders/{id}", method: "GET", latencyMs: 45, latencySigma: 0.3, bytes: 1800, bytesSigma: 0.25, weight: 3 },
    ],
  },
  {
    name: "catalog",
    pods: 4,
    endpoints: [
      { path: "/api/products", method: "GET", latencyMs: 60, latencySigma: 0.35, bytes: 12000, bytesSigma: 0.35, weight: 8 },
      { path: "/api/products/{id}", method: "GET", latencyMs: 25, latencySigma: 0.3, bytes: 3500, bytesSigma: 0.3, weight: 6 },
      { path: "/api/search", method: "GET", latencyMs: 150, latencySigma: 0.45, bytes: 8000, bytesSigma: 0.4, weight: 4 },
    ],
  },
  {
    name: "payments",
    pods: 2,
    endpoints: [
      { path: "/api/payments", method: "POST", latencyMs: 250, latencySigma: 0.35, bytes: 600, bytesSigma: 0.15, weight: 2 },
      { path: "/api/payments/{id}", method: "GET", latencyMs: 40, latencySigma: 0.3, bytes: 700, bytesSigma: 0.15, weight: 1 },
    ],
  },
  {
    name: "auth",
    pods: 2,
    endpoints: [
      { path: "/api/login", method: "POST", latencyMs: 80, latencySigma: 0.3, bytes: 400, bytesSigma: 0.1, weight: 3 },
      { path: "/api/token/refresh", method: "POST", latencyMs: 20, latencySigma: 0.25, bytes: 350, bytesSigma: 0.1, weight: 4 },
    ],
  },
];

/** Share of normal requests that fail with a 5xx / 4xx. */
const BASE_5XX_RATE = 0.004;
const BASE_4XX_RATE = 0.02;
/** Length of an anomaly episode, in events. */
const EPISODE_MIN = 3;
const EPISODE_MAX = 12;

function gaussian(rand: () => number): number {
  // Box–Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function logNormal(rand: () => number, median: number, sigma: number): number {
  return median * Math.exp(sigma * gaussian(rand));
}

function hex(rand: () => number, chars: number): string {
  let s = "";
  for (let i = 0; i < chars; i += 8) s += (Math.floor(rand() * 0x100000000) >>> 0).toString(16).padStart(8, "0");
  return s.slice(0, chars);
}

/** Load relative to the mean over a day: low at night (0.4), peak mid-afternoon (1.6). */
export function diurnalFactor(t: Date): number {
  const hours = t.getUTCHours() + t.getUTCMinutes() / 60;
  return 1 + 0.6 * Math.sin(((hours - 9) / 24) * 2 * Math.PI);
}

function pickWeighted<T extends { weight: number }>(rand: () => number, items: readonly T[]): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let r = rand() * total;
  for (const i of items) {
    r -= i.weight;
    if (r < 0) return i;
  }
  return items[items.length - 1];
}

function statusLevel(status: number): LogLevel {
  if (status >= 500) return "ERROR";
  if (status >= 400) return "WARN";
  return "INFO";
}

interface Episode {
  kind: AnomalyKind;
  left: number;
  service: ServiceProfile;
  endpoint: EndpointProfile;
}

/** Yields `count` events; anomaly episodes (a few consecutive events) start at `anomalyRate`. */
export function* generateLogEvents(opts: GenerateOptions): Generator<GeneratedLog> {
  const rand = seededRandom(opts.seed);
  const kinds = opts.kinds ?? ANOMALY_KINDS;
  const anomalyRate = opts.anomalyRate ?? 0;
  if (anomalyRate < 0 || anomalyRate > 1) throw new RangeError(`anomalyRate must be within 0..1, got ${anomalyRate}`);
  if (anomalyRate > 0 && kinds.length === 0) throw new RangeError("kinds must name at least one anomaly kind");
  const rate = opts.eventsPerSecond ?? 100;
  if (!(rate > 0)) throw new RangeError(`eventsPerSecond must be > 0, got ${rate}`);
  let t = (opts.start ?? new Date("2026-01-01T00:00:00.000Z")).getTime();
  const serviceWeights = SERVICES.map((s) => ({ s, weight: s.endpoints.reduce((n, e) => n + e.weight, 0) }));
  let episode: Episode | undefined;

  for (let i = 0; i < opts.count; i++) {
    if (!episode && anomalyRate > 0 && rand() < anomalyRate / ((EPISODE_MIN + EPISODE_MAX) / 2)) {
      const service = pickWeighted(rand, serviceWeights).s;
      episode = {
        kind: kinds[Math.floor(rand() * kinds.length)],
        left: EPISODE_MIN + Math.floor(rand() * (EPISODE_MAX - EPISODE_MIN + 1)),
        service,
        endpoint: pickWeighted(rand, service.endpoints),
      };
    }
    const now = new Date(t);
    // A surge packs its events 20x closer together; otherwise spacing follows the daily curve.
    const surge = episode?.kind === "traffic-surge";
    const gapMs = (1000 / (rate * diurnalFactor(now))) * (surge ? 0.05 : 1) * -Math.log(1 - rand());
    t += gapMs;

    const service = episode ? episode.service : pickWeighted(rand, serviceWeights).s;
    const endpoint = episode ? episode.endpoint : pickWeighted(rand, service.endpoints);
    let latencyMs = logNormal(rand, endpoint.latencyMs, endpoint.latencySigma);
    let bytes = Math.max(0, Math.round(logNormal(rand, endpoint.bytes, endpoint.bytesSigma)));
    const r = rand();
    let status = r < BASE_5XX_RATE ? 503 : r < BASE_5XX_RATE + BASE_4XX_RATE ? 404 : endpoint.method === "POST" ? 201 : 200;

    const kind = episode?.kind;
    switch (kind) {
      case "latency-spike":
        latencyMs *= 25 + rand() * 50;
        break;
      case "error-burst":
        status = rand() < 0.5 ? 500 : 503;
        latencyMs *= 0.2 + rand() * 0.3; // fail fast
        bytes = 120 + Math.floor(rand() * 80);
        break;
      case "odd-payload":
        bytes = rand() < 0.5 ? Math.floor(rand() * 8) : Math.round(endpoint.bytes * (80 + rand() * 200));
        break;
      case "traffic-surge":
      case undefined:
        break;
    }
    if (episode && --episode.left === 0) episode = undefined;

    const pod = `${service.name}-${hex(rand, 6)}-${Math.floor(rand() * service.pods)}`;
    const event: LogEvent = {
      timestamp: now.toISOString(),
      service: service.name,
      endpoint: endpoint.path,
      method: endpoint.method,
      status,
      latencyMs: Math.round(latencyMs * 100) / 100,
      bytes,
      host: `ip-10-40-${Math.floor(rand() * 4)}-${1 + Math.floor(rand() * 250)}`,
      pod,
      traceId: hex(rand, 32),
      level: statusLevel(status),
      message: `${endpoint.method} ${endpoint.path} ${status} ${Math.round(latencyMs)}ms`,
    };
    yield kind ? { event, anomaly: kind } : { event };
  }
}

/** A message that is not a valid log event, with the reason the handler must give for it. */
export interface PoisonMessage {
  readonly value: Buffer;
  readonly expectedReason: "empty" | "too-large" | "not-utf8" | "not-json" | "not-an-object" | "missing-field" | "invalid-field";
}

/**
 * Poison messages of every kind, cycling through them. `maxRecordBytes` sizes the oversized one
 * just above the cap the handler enforces.
 */
export function poisonMessages(seed: number, count: number, maxRecordBytes = 65536): PoisonMessage[] {
  const rand = seededRandom(seed);
  const base = generateLogEvents({ seed: seed + 1, count: 1 }).next().value as GeneratedLog;
  const good = base.event as unknown as Record<string, unknown>;
  const makers: (() => PoisonMessage)[] = [
    () => ({ value: Buffer.alloc(0), expectedReason: "empty" }),
    () => ({ value: Buffer.from(`not json ${hex(rand, 8)}`), expectedReason: "not-json" }),
    () => ({ value: Buffer.from([0xff, 0xfe, 0x80, Math.floor(rand() * 256), 0xc3]), expectedReason: "not-utf8" }),
    () => ({ value: Buffer.from(JSON.stringify([1, 2, 3])), expectedReason: "not-an-object" }),
    () => {
      const { status: _drop, ...rest } = good;
      void _drop;
      return { value: Buffer.from(JSON.stringify(rest)), expectedReason: "missing-field" };
    },
    // JSON has no NaN: a producer that writes one sends null or a string; both must be rejected.
    () => ({ value: Buffer.from(JSON.stringify({ ...good, latencyMs: "NaN" })), expectedReason: "invalid-field" }),
    () => ({ value: Buffer.from(JSON.stringify({ ...good, message: "x".repeat(maxRecordBytes) })), expectedReason: "too-large" }),
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length]());
}
