/**
 * Trains the RCF model, by hand. Features come from the one feature module (lib/features.ts).
 *
 *   tsx scripts/train-rcf.ts --generate 50000 --local --output .cache/model/rcf.json
 *   tsx scripts/train-rcf.ts --input logs.jsonl --bucket <artifact_bucket> --role-arn <training_role_arn>
 *   tsx scripts/train-rcf.ts --table <table_name> --since-hours 24 --bucket … --role-arn …
 *
 * Sources (one): --generate N (the producer's generator, normal traffic only), --input FILE.jsonl
 * (one log event per line), --table NAME (recent scored logs from DynamoDB).
 * SageMaker mode uploads the CSV to s3://<bucket>/training/YYYY/MM/DD/<job>/train.csv, starts a
 * training job with the built-in RCF image, waits, and prints the artifact URI and the deploy
 * commands. Either way it computes the score statistics with the local RCF in batch mode and
 * prints the threshold mean + k·std.
 */
import { readFileSync } from "node:fs";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { loadConfig, type PipelineConfig } from "../lib/config";
import { extractFeatures, FEATURE_NAMES, featuresToCsvRow } from "../lib/features";
import { validateLogEvent, type LogEvent } from "../lib/log-event";
import { BatchRcfModel, thresholdFromStats } from "../lib/rcf/model";
import { assertBucketName, createTrainingJobRequest, uploadTrainingCsv, waitForTrainingJob } from "../lib/training/sagemaker";
import { CreateTrainingJobCommand } from "@aws-sdk/client-sagemaker";
import { generateLogEvents } from "../producer/generator";
import { parseArgs } from "./rcf";

export interface TrainOptions {
  readonly events: readonly LogEvent[];
  readonly config: PipelineConfig;
  readonly local: boolean;
  readonly output?: string;
  readonly bucket?: string;
  readonly roleArn?: string;
  readonly instanceType?: string;
  readonly jobName?: string;
  readonly now?: Date;
}

export interface TrainDeps {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
  readonly log: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly pollMs?: number;
}

export interface TrainResult {
  readonly threshold: number;
  readonly modelDataUrl?: string;
  readonly trainingUri?: string;
  readonly localModel: BatchRcfModel;
}

/** Reads log events from a JSONL file; a bad line is an error naming the line. */
export function readJsonl(path: string): LogEvent[] {
  return readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch {
        throw new Error(`${path}:${i + 1}: not JSON`);
      }
      const r = validateLogEvent(v);
      if (!r.ok) throw new Error(`${path}:${i + 1}: not a log event (${r.detail})`);
      return r.event;
    });
}

/** Recent scored logs from the table (a Scan filtered on eventTime; fine for a training window). */
export async function readTable(doc: DynamoDBDocumentClient, table: string, since: Date, limit: number): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: "#s = :scored AND eventTime >= :since",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":scored": "scored", ":since": since.toISOString() },
        ProjectionExpression: "event",
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) out.push(item.event as LogEvent);
    start = page.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out.slice(0, limit);
}

export function jobNameFor(config: PipelineConfig, now: Date): string {
  return `${config.project}-${config.environment}-rcf-${now.toISOString().replace(/[-:T]/g, "").slice(0, 14)}`;
}

export async function train(o: TrainOptions, deps: TrainDeps): Promise<TrainResult> {
  if (o.events.length < 100) throw new Error(`need at least 100 log events to train, got ${o.events.length}`);
  const rows = o.events.map(extractFeatures);
  const c = o.config;
  const model = BatchRcfModel.train(rows, { numTrees: c.sagemaker.numTrees, sampleSize: c.sagemaker.numSamplesPerTree, featureNames: FEATURE_NAMES });
  const threshold = thresholdFromStats(model.stats, c.scoring.thresholdSigmas);
  deps.log(`[train] ${rows.length} events, ${FEATURE_NAMES.length} features; training scores mean ${model.stats.mean.toFixed(4)} std ${model.stats.std.toFixed(4)} → threshold ${threshold.toFixed(4)} (mean + ${c.scoring.thresholdSigmas}·std)`);
  if (o.local) {
    if (!o.output) throw new Error("--output is required with --local");
    mkdirSync(dirname(o.output), { recursive: true });
    model.save(o.output);
    deps.log(`[train] wrote the local model to ${o.output}`);
    return { threshold, localModel: model };
  }
  if (!o.bucket) throw new Error("--bucket is required (the foundation stack output artifact_bucket)");
  assertBucketName(o.bucket);
  if (!o.roleArn || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(o.roleArn)) throw new Error("--role-arn must be an IAM role ARN (the foundation stack output training_role_arn)");
  try {
    await deps.s3.config.credentials();
  } catch (e) {
    throw new Error(`no AWS credentials found (${(e as Error).message.split("\n")[0]}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login`);
  }
  const now = o.now ?? new Date();
  const jobName = o.jobName ?? jobNameFor(c, now);
  const day = now.toISOString().slice(0, 10).replace(/-/g, "/");
  const trainingKey = `training/${day}/${jobName}/train.csv`;
  await uploadTrainingCsv(deps.s3, o.bucket, trainingKey, rows.map(featuresToCsvRow).join("\n") + "\n");
  deps.log(`[train] uploaded s3://${o.bucket}/${trainingKey}`);
  const request = createTrainingJobRequest({
    jobName,
    region: c.region,
    bucket: o.bucket,
    trainingKey,
    outputPrefix: "models/",
    roleArn: o.roleArn,
    instanceType: o.instanceType ?? c.sagemaker.trainingInstanceType,
    featureDim: FEATURE_NAMES.length,
    numTrees: c.sagemaker.numTrees,
    numSamplesPerTree: c.sagemaker.numSamplesPerTree,
  });
  await deps.sagemaker.send(new CreateTrainingJobCommand(request));
  deps.log(`[train] started SageMaker training job ${jobName}`);
  const modelDataUrl = await waitForTrainingJob(deps.sagemaker, jobName, { onProgress: deps.log, sleep: deps.sleep, pollMs: deps.pollMs });
  const t = threshold.toFixed(4);
  deps.log(`[train] model artifact: ${modelDataUrl}`);
  deps.log(`[train] roll the endpoint onto it with one of:`);
  deps.log(`  npx cdktf deploy pipeline --var model_data_url=${modelDataUrl} --var score_threshold=${t}`);
  deps.log(`  (cd cdktf.out/hcl/pipeline && terraform apply -var model_data_url=${modelDataUrl} -var score_threshold=${t})`);
  return { threshold, modelDataUrl, trainingUri: `s3://${o.bucket}/${trainingKey}`, localModel: model };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2).filter((a) => a !== "--local"));
  const local = process.argv.includes("--local");
  const config = loadConfig();
  let events: LogEvent[];
  if (args.generate) {
    // Spread over a whole day, so every hour of the time-of-day features is seen as normal.
    const count = Number(args.generate);
    events = [...generateLogEvents({ seed: Number(args.seed ?? 1), count, eventsPerSecond: count / 86_400, anomalyRate: 0 })].map((g) => g.event);
  } else if (args.input) {
    events = readJsonl(args.input);
  } else if (args.table) {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region, endpoint: process.env.DYNAMODB_ENDPOINT_URL }));
    events = await readTable(doc, args.table, new Date(Date.now() - Number(args["since-hours"] ?? 24) * 3600_000), Number(args.limit ?? 100000));
  } else {
    throw new Error("name a source: --generate N, --input FILE.jsonl or --table NAME");
  }
  const region = args.region ?? config.region;
  await train(
    { events, config, local, output: args.output, bucket: args.bucket, roleArn: args["role-arn"], instanceType: args["instance-type"] },
    { s3: new S3Client({ region }), sagemaker: new SageMakerClient({ region }), log: (l) => console.log(l) },
  );
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`[train] ${e.message}`);
    process.exit(1);
  });
}
