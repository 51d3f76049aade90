/**
 * Lambda entry point for the self-managed Kafka event source: settings and clients are built once
 * per container; each invocation runs `handleKafkaEvent` (all logic lives in plain modules).
 */
import type { Context } from "aws-lambda";
import type { KafkaBatchResponse } from "../../lib/kafka-event";
import { createClients } from "./clients";
import { handleKafkaEvent } from "./invoke";
import { logger, metrics, tracer } from "./observability";
import { readSettings } from "./settings";

const settings = readSettings(process.env);
const clients = createClients(settings);
tracer.captureAWSv3Client(clients.sagemaker);
tracer.captureAWSv3Client(clients.dynamodb);
tracer.captureAWSv3Client(clients.s3);

export async function handler(event: unknown, context: Context): Promise<KafkaBatchResponse> {
  logger.addContext(context);
  tracer.annotateColdStart();
  try {
    return await handleKafkaEvent(event, context, { settings, clients, metrics, logger });
  } catch (err) {
    logger.error("invocation failed", err as Error);
    throw err;
  } finally {
    metrics.publishStoredMetrics();
  }
}
