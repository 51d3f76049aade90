/** Generated test data for the log-processor tests (unit, integration and bench). */
import { encodeLogEvent, type LogEvent } from "../../../lib/log-event";
import type { KafkaRecordInput } from "../../../lib/kafka-event";

const SERVICES = ["checkout", "catalog", "payments", "search"];
const ENDPOINTS = ["/api/orders/{id}", "/api/items", "/api/pay", "/api/search"];

/** A deterministic, valid log event; `i` varies every field a little. */
export function logEvent(i: number, overrides: Partial<LogEvent> = {}): LogEvent {
  const t = Date.UTC(2026, 10, 25, 10, 0, 0) + i * 137;
  return {
    timestamp: new Date(t).toISOString(),
    service: SERVICES[i % SERVICES.length],
    endpoint: ENDPOINTS[i % ENDPOINTS.length],
    method: i % 5 === 0 ? "POST" : "GET",
    status: i % 50 === 0 ? 503 : 200,
    latencyMs: 20 + (i % 17) * 3.5,
    bytes: 500 + (i % 23) * 40,
    host: `node-${i % 3}`,
    pod: `pod-${i % 7}`,
    traceId: (i.toString(16).padStart(8, "0") + "a".repeat(24)).slice(0, 32),
    level: i % 50 === 0 ? "ERROR" : "INFO",
    message: `request ${i} done`,
    ...overrides,
  };
}

export function kafkaRecord(i: number, opts: { topic?: string; partition?: number; offset?: number; value?: Buffer | null; headers?: Record<string, string> } = {}): KafkaRecordInput {
  const e = logEvent(i);
  return {
    topic: opts.topic ?? "app-logs",
    partition: opts.partition ?? 0,
    offset: opts.offset ?? i,
    timestamp: Date.UTC(2026, 10, 25, 10, 0, 0) + i,
    key: e.service,
    value: opts.value === undefined ? encodeLogEvent(e) : opts.value,
    headers: { "content-type": "application/json", ...(opts.headers ?? {}) },
  };
}

/** `n` valid records spread over `partitions` partitions, offsets from `startOffset`. */
export function kafkaRecords(n: number, opts: { topic?: string; partitions?: number; startOffset?: number } = {}): KafkaRecordInput[] {
  const partitions = opts.partitions ?? 1;
  return Array.from({ length: n }, (_, i) =>
    kafkaRecord(i, { topic: opts.topic, partition: i % partitions, offset: (opts.startOffset ?? 0) + Math.floor(i / partitions) }),
  );
}

/** One value per poison kind the handler must dead-letter (never fail on, never drop). */
export function poisonValues(maxRecordBytes: number): Record<string, Buffer | null> {
  const { message: _m, ...missingMessage } = logEvent(1);
  return {
    "not-json": Buffer.from("this is not json {"),
    "not-an-object": Buffer.from("[1,2,3]"),
    binary: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0xc3, 0x28]),
    "too-large": Buffer.from(JSON.stringify({ ...logEvent(2), message: "x".repeat(maxRecordBytes) })),
    "missing-field": Buffer.from(JSON.stringify(missingMessage)),
    "invalid-field": Buffer.from(JSON.stringify({ ...logEvent(3), status: 999 })),
    empty: null,
  };
}
