/**
 * The whole pipeline on one machine, with real parts: Kafka (KRaft, Maven Central jars),
 * a local DynamoDB (dynalite) with the scored-log table, the RCF model server with a model trained locally on
 * generated normal traffic (cached), the unmodified Lambda handler behind a poller that plays the
 * event source mapping, and (optionally) the producer. Used by `npm run local`, the end-to-end
 * test and the pipeline benchmark.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { Kafka, logLevel } from "kafkajs";
import type { PipelineConfig } from "../config";
import { extractFeatures, FEATURE_NAMES } from "../features";
import { assertPortFree, REPO_ROOT } from "../java-service";
import { createLogTable, localDynamoDbClient, startDynamoDbLocal } from "../dynamodb-local";
import { startLocalKafka } from "../kafka-local";
import { startModelServerThread } from "../model-server/thread";
import { BatchRcfModel, loadModel, thresholdFromStats } from "../rcf/model";
import { generateLogEvents } from "../../producer/generator";
import { LambdaPoller, type KafkaHandler } from "./poller";

export const LOCAL_TABLE = "logpipe-local-scored-logs";
export const LOCAL_ENDPOINT = "logpipe-local-rcf";

export interface LocalPipelineOptions {
  readonly config: PipelineConfig;
  /** Use the configured ports (npm run local) or free ones (tests): default configured. */
  readonly freePorts?: boolean;
  /** Kafka data folder, relative to the repo; default .cache/local/kafka. */
  readonly kafkaDataDir?: string;
  readonly log?: (line: string) => void;
  readonly onBatch?: ConstructorParameters<typeof LambdaPoller>[0]["onBatch"];
}

export interface LocalPipeline {
  readonly brokers: string[];
  readonly dynamodbEndpoint: string;
  readonly modelServerUrl: string;
  readonly tableName: string;
  readonly threshold: number;
  readonly doc: DynamoDBDocumentClient;
  poller: LambdaPoller;
  /** Stops the poller and starts a new one in the same consumer group (redelivery tests). */
  restartPoller(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The local model's file: trained on the first run, reused after. The file name carries the
 * feature set and forest size, so a change of either trains a new one.
 */
export function localModelFile(config: PipelineConfig, log: (l: string) => void): string {
  const dir = join(REPO_ROOT, config.local.cacheDir, "model");
  const file = join(dir, `rcf-${FEATURE_NAMES.length}f-${config.sagemaker.numTrees}x${config.sagemaker.numSamplesPerTree}.json`);
  if (existsSync(file)) return file;
  log(`[model] training the local RCF on 20,000 generated normal events (first run; cached in ${file})`);
  // Spread over a whole day, so every hour of the time-of-day features is normal.
  const rows = [...generateLogEvents({ seed: 1, count: 20_000, eventsPerSecond: 20_000 / 86_400 })].map((g) => extractFeatures(g.event));
  const model = BatchRcfModel.train(rows, { numTrees: config.sagemaker.numTrees, sampleSize: config.sagemaker.numSamplesPerTree, featureNames: FEATURE_NAMES });
  mkdirSync(dir, { recursive: true });
  model.save(file);
  return file;
}

export async function startLocalPipeline(o: LocalPipelineOptions): Promise<LocalPipeline> {
  const c = o.config;
  const log = o.log ?? (() => undefined);
  const port = (p: number) => (o.freePorts ? 0 : p);
  if (!o.freePorts) {
    await assertPortFree(c.local.kafkaPort, "kafka (local.kafkaPort)");
    await assertPortFree(c.local.dynamodbPort, "local DynamoDB (local.dynamodbPort)");
    await assertPortFree(c.local.modelServerPort, "model server (local.modelServerPort)");
  }
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const kafka = await startLocalKafka({ version: c.versions.kafka, port: port(c.local.kafkaPort), dataDir: o.kafkaDataDir ?? join(c.local.cacheDir, "local", "kafka"), partitions: c.kafka.partitions });
    stops.push(() => kafka.stop());
    // The topic, as the KafkaTopic resource creates it on EKS.
    const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: c.kafka.topic, numPartitions: c.kafka.partitions }], waitForLeaders: true });
    await admin.disconnect();
    log(`[kafka] Apache Kafka ${c.versions.kafka} on ${kafka.brokers.join(",")}, topic ${c.kafka.topic} (${c.kafka.partitions} partitions)`);

    const ddb = await startDynamoDbLocal({ port: port(c.local.dynamodbPort), inMemory: true });
    stops.push(() => ddb.stop());
    const client = localDynamoDbClient(ddb.endpoint);
    await createLogTable(client, LOCAL_TABLE);
    const doc = DynamoDBDocumentClient.from(client);
    log(`[dynamodb] dynalite on ${ddb.endpoint}, table ${LOCAL_TABLE}`);

    const modelFile = localModelFile(c, log);
    const threshold = c.scoring.threshold > 0 ? c.scoring.threshold : thresholdFromStats(loadModel(modelFile).stats, c.scoring.thresholdSigmas);
    const server = await startModelServerThread({ port: port(c.local.modelServerPort), models: { [LOCAL_ENDPOINT]: modelFile } });
    stops.push(() => server.close());
    log(`[model] RCF model server on ${server.url} (endpoint ${LOCAL_ENDPOINT}, threshold ${threshold.toFixed(3)})`);

    // The unmodified handler, configured the way the Lambda construct configures it, with the
    // endpoints pointed at the local services.
    Object.assign(process.env, {
      AWS_REGION: c.region,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "local",
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "local",
      TABLE_NAME: LOCAL_TABLE,
      SAGEMAKER_ENDPOINT_NAME: LOCAL_ENDPOINT,
      DEAD_LETTER_BUCKET: "local-dead-letter",
      DEAD_LETTER_PREFIX: "dead-letter/",
      SCORE_THRESHOLD: String(threshold),
      MAX_RECORD_BYTES: String(c.lambda.maxRecordBytes),
      TTL_DAYS: String(c.storage.ttlDays),
      REPORT_BATCH_ITEM_FAILURES: "false",
      POWERTOOLS_SERVICE_NAME: "log-processor",
      POWERTOOLS_METRICS_NAMESPACE: "logpipe-local",
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "ERROR",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_TRACE_ENABLED: "false",
      SAGEMAKER_ENDPOINT_URL: server.url,
      DYNAMODB_ENDPOINT_URL: ddb.endpoint,
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require("../../functions/log-processor/handler") as { handler: KafkaHandler };

    const newPoller = () =>
      new LambdaPoller({
        brokers: kafka.brokers,
        topic: c.kafka.topic,
        groupId: c.kafka.consumerGroupId,
        batchSize: c.lambda.batchSize,
        batchingWindowMs: c.lambda.batchingWindowSeconds * 1000,
        timeoutMs: c.lambda.timeoutSeconds * 1000,
        handler,
        concurrency: c.kafka.partitions,
        onBatch: o.onBatch,
      });
    const pipeline: LocalPipeline = {
      brokers: kafka.brokers,
      dynamodbEndpoint: ddb.endpoint,
      modelServerUrl: server.url,
      tableName: LOCAL_TABLE,
      threshold,
      doc,
      poller: newPoller(),
      async restartPoller() {
        await pipeline.poller.stop();
        pipeline.poller = newPoller();
        await pipeline.poller.start();
      },
      stop: async () => {
        await pipeline.poller.stop().catch(() => undefined);
        await stopAll();
      },
    };
    await pipeline.poller.start();
    log(`[poller] event source mapping stand-in: group ${c.kafka.consumerGroupId}, batch ${c.lambda.batchSize}, window ${c.lambda.batchingWindowSeconds}s`);
    return pipeline;
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** Every item of the table (a Scan; fine for a local table). */
export async function scanAll(doc: DynamoDBDocumentClient, table: string, projection?: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ProjectionExpression: projection, ExpressionAttributeNames: projection?.includes("#") ? { "#s": "status" } : undefined }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
