/**
 * One invocation: check the event, run the batch within the time Lambda gives us, record metrics
 * and logs, and answer — an empty failure list when everything was stored or dead-lettered;
 * otherwise partial batch failures (when the event source mapping reports them) or an error.
 */
import { eventRecords, isSelfManagedKafkaEvent, type KafkaBatchResponse } from "../../lib/kafka-event";
import { processBatch, type BatchOutcome, type ProcessorDeps } from "./process-batch";
import { DEFAULT_RETRY_POLICY, Deadline, type RetryPolicy } from "./retry";
import { batchItemFailures, BatchNotStoredError } from "./response";
import type { ProcessorSettings } from "./settings";
import type { ProcessorClients } from "./clients";

export interface MetricsSink {
  addMetric(name: string, unit: "Count" | "Milliseconds", value: number): void;
}
export interface LogSink {
  info(msg: string, ...extra: Record<string, unknown>[]): void;
  warn(msg: string, ...extra: Record<string, unknown>[]): void;
  error(msg: string, ...extra: Record<string, unknown>[]): void;
}

export interface InvokeDeps {
  readonly settings: ProcessorSettings;
  /** Anything with the clients' `send` (tests wrap the real clients to inject faults). */
  readonly clients: { readonly [K in keyof ProcessorClients]: Pick<ProcessorClients[K], "send"> };
  readonly metrics?: MetricsSink;
  readonly logger?: LogSink;
  readonly policy?: RetryPolicy;
  /** Concurrency knobs (defaults suit a 1 GB Lambda). */
  readonly writeConcurrency?: number;
  readonly scoringConcurrency?: number;
  readonly maxPayloadBytes?: number;
  /** Replaces the feature function (tests of the non-finite-features path only). */
  readonly extractFeatures?: ProcessorDeps["extractFeatures"];
}

export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the retry budget for logging, metrics and the response. */
export function safetyMarginMs(remainingMs: number): number {
  return Math.max(250, Math.min(5000, Math.floor(remainingMs * 0.1)));
}

export async function handleKafkaEvent(event: unknown, context: LambdaContextLike, deps: InvokeDeps): Promise<KafkaBatchResponse> {
  if (!isSelfManagedKafkaEvent(event)) {
    throw new TypeError(`expected a self-managed Kafka event (eventSource "SelfManagedKafka"), got eventSource ${JSON.stringify((event as { eventSource?: unknown })?.eventSource)}`);
  }
  const started = Date.now();
  const remaining = context.getRemainingTimeInMillis();
  const deadline = Deadline.fromRemainingTime(remaining, safetyMarginMs(remaining));
  const s = deps.settings;
  let retries = 0;
  const records = eventRecords(event);
  const outcome: BatchOutcome = await processBatch(records, {
    sagemaker: deps.clients.sagemaker,
    dynamodb: deps.clients.dynamodb,
    s3: deps.clients.s3,
    endpointName: s.endpointName,
    tableName: s.tableName,
    deadLetterBucket: s.deadLetterBucket,
    deadLetterPrefix: s.deadLetterPrefix,
    threshold: s.threshold,
    maxRecordBytes: s.maxRecordBytes,
    ttlDays: s.ttlDays,
    deadline,
    policy: deps.policy ?? DEFAULT_RETRY_POLICY,
    writeConcurrency: deps.writeConcurrency,
    scoringConcurrency: deps.scoringConcurrency,
    maxPayloadBytes: deps.maxPayloadBytes,
    extractFeatures: deps.extractFeatures,
    onRetry: (operation, error) => {
      retries++;
      deps.logger?.warn("retrying", { operation, error: error instanceof Error ? error.message : String(error) });
    },
    log: deps.logger,
  });
  const latencyMs = Date.now() - started;
  const m = deps.metrics;
  if (m) {
    m.addMetric("records", "Count", outcome.records);
    m.addMetric("scored", "Count", outcome.scored);
    m.addMetric("anomalies", "Count", outcome.anomalies);
    m.addMetric("rejected", "Count", outcome.rejected);
    m.addMetric("failed", "Count", outcome.failed.length);
    m.addMetric("retries", "Count", retries);
    m.addMetric("latency", "Milliseconds", latencyMs);
  }
  deps.logger?.info("batch processed", {
    records: outcome.records,
    scored: outcome.scored,
    anomalies: outcome.anomalies,
    rejected: outcome.rejected,
    rejectedByReason: outcome.rejectedByReason,
    failed: outcome.failed.length,
    retries,
    scoringCalls: outcome.scoringCalls,
    writeRequests: outcome.writeRequests,
    latencyMs,
  });
  if (outcome.failed.length === 0) return { batchItemFailures: [] };
  if (s.reportBatchItemFailures) {
    const response = batchItemFailures(outcome.failed);
    deps.logger?.warn("reporting partial batch failures", { failed: outcome.failed.length, batchItemFailures: response.batchItemFailures });
    return response;
  }
  throw new BatchNotStoredError(outcome.failed);
}
