/**
 * The log event: the one message type on the Kafka topic. The producer builds it, the Lambda
 * handler decodes and validates it, the training script and the dashboard read it. Everything
 * that touches a log event imports this module; nothing else defines its shape.
 */

export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One application log line, as JSON on the topic (UTF-8, one object per Kafka message). */
export interface LogEvent {
  /** When the request finished, ISO 8601 UTC with milliseconds, e.g. 2026-11-25T10:00:00.000Z. */
  readonly timestamp: string;
  /** Emitting service; also the Kafka message key, so one service's logs keep their order. */
  readonly service: string;
  /** Route template, e.g. /api/orders/{id}. */
  readonly endpoint: string;
  readonly method: HttpMethod;
  /** HTTP status code, 100–599. */
  readonly status: number;
  /** Request latency in milliseconds (non-negative). */
  readonly latencyMs: number;
  /** Response size in bytes (non-negative integer). */
  readonly bytes: number;
  readonly host: string;
  readonly pod: string;
  /** W3C trace id: 32 lowercase hex characters. */
  readonly traceId: string;
  readonly level: LogLevel;
  readonly message: string;
}

/**
 * The one Kafka header the producer sets, on injected anomalies only: `anomaly-kind` (the kind as
 * the value), so detection can be scored later; it is never an input of the model. Other
 * messages carry no header (every message of the topic is a JSON log event, so a content-type
 * header would say nothing; kafkajs encodes each header apart, which cost a fifth of one
 * producer's throughput).
 */
export const HEADER_ANOMALY_KIND = "anomaly-kind";

/** Why a message is not a valid log event; `reason` is a short stable code, `detail` says more. */
export interface InvalidLogEvent {
  readonly ok: false;
  readonly reason: RejectReason;
  readonly detail: string;
}
export interface ValidLogEvent {
  readonly ok: true;
  readonly event: LogEvent;
}
export type ParseResult = ValidLogEvent | InvalidLogEvent;

export const REJECT_REASONS = [
  "empty",
  "too-large",
  "not-utf8",
  "not-json",
  "not-an-object",
  "missing-field",
  "invalid-field",
  "invalid-features",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const TRACE_ID = /^[0-9a-f]{32}$/;
// ISO 8601 UTC as Date#toISOString writes it; other spellings are rejected rather than guessed.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const MAX_TEXT = 1024;

const FIELDS: readonly (keyof LogEvent)[] = [
  "timestamp",
  "service",
  "endpoint",
  "method",
  "status",
  "latencyMs",
  "bytes",
  "host",
  "pod",
  "traceId",
  "level",
  "message",
];

function invalid(reason: RejectReason, detail: string): InvalidLogEvent {
  return { ok: false, reason, detail };
}

function text(o: Record<string, unknown>, k: string, max = MAX_TEXT): string | InvalidLogEvent {
  const v = o[k];
  if (typeof v !== "string" || v.length === 0) return invalid("invalid-field", `${k} must be a non-empty string`);
  if (v.length > max) return invalid("invalid-field", `${k} is longer than ${max} characters`);
  return v;
}

/** Validates an already-parsed JSON value. Unknown extra fields are dropped, not rejected. */
export function validateLogEvent(value: unknown): ParseResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid("not-an-object", `expected a JSON object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
  }
  const o = value as Record<string, unknown>;
  const missing = FIELDS.filter((f) => o[f] === undefined || o[f] === null);
  if (missing.length > 0) return invalid("missing-field", `missing ${missing.join(", ")}`);

  const fields: Record<string, string> = {};
  for (const k of ["timestamp", "service", "endpoint", "host", "pod", "traceId", "message"] as const) {
    const v = text(o, k, k === "message" ? 4 * MAX_TEXT : MAX_TEXT);
    if (typeof v !== "string") return v;
    fields[k] = v;
  }
  if (!ISO_UTC.test(fields.timestamp) || Number.isNaN(Date.parse(fields.timestamp))) {
    return invalid("invalid-field", "timestamp must be ISO 8601 UTC, e.g. 2026-11-25T10:00:00.000Z");
  }
  if (!TRACE_ID.test(fields.traceId)) return invalid("invalid-field", "traceId must be 32 lowercase hex characters");
  if (!(HTTP_METHODS as readonly unknown[]).includes(o.method)) {
    return invalid("invalid-field", `method must be one of ${HTTP_METHODS.join(", ")}`);
  }
  if (!(LOG_LEVELS as readonly unknown[]).includes(o.level)) {
    return invalid("invalid-field", `level must be one of ${LOG_LEVELS.join(", ")}`);
  }
  const { status, latencyMs, bytes } = o;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    return invalid("invalid-field", "status must be an integer from 100 to 599");
  }
  if (typeof latencyMs !== "number" || !Number.isFinite(latencyMs) || latencyMs < 0) {
    return invalid("invalid-field", "latencyMs must be a finite number >= 0");
  }
  if (typeof bytes !== "number" || !Number.isInteger(bytes) || bytes < 0) {
    return invalid("invalid-field", "bytes must be an integer >= 0");
  }
  return {
    ok: true,
    event: {
      timestamp: fields.timestamp,
      service: fields.service,
      endpoint: fields.endpoint,
      method: o.method as HttpMethod,
      status,
      latencyMs,
      bytes,
      host: fields.host,
      pod: fields.pod,
      traceId: fields.traceId,
      level: o.level as LogLevel,
      message: fields.message,
    },
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes one Kafka message value (raw bytes) into a log event, or says why it is not one.
 * Never throws.
 */
export function parseLogEvent(bytes: Uint8Array, maxBytes: number): ParseResult {
  if (bytes.length === 0) return invalid("empty", "the message has no value");
  if (bytes.length > maxBytes) return invalid("too-large", `${bytes.length} bytes is over the ${maxBytes}-byte cap`);
  let s: string;
  try {
    s = utf8.decode(bytes);
  } catch {
    return invalid("not-utf8", "the value is not valid UTF-8 (binary data?)");
  }
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch (e) {
    return invalid("not-json", `not JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  return validateLogEvent(value);
}

/** Serializes a log event the way the producer puts it on the topic. */
export function encodeLogEvent(event: LogEvent): Buffer {
  return Buffer.from(JSON.stringify(event), "utf8");
}
