/**
 * The handler's settings, read once at cold start from the environment the Lambda construct sets
 * (and, for local runs, the endpoint overrides). A missing or bad variable fails the init with a
 * message naming it.
 *
 * | variable                      | meaning                                                          |
 * |-------------------------------|------------------------------------------------------------------|
 * | TABLE_NAME                    | scored-log table                                                 |
 * | SAGEMAKER_ENDPOINT_NAME       | RCF inference endpoint                                           |
 * | DEAD_LETTER_BUCKET            | bucket for raw values too large for an item                      |
 * | DEAD_LETTER_PREFIX            | key prefix in that bucket (IAM allows PutObject under it only)   |
 * | SCORE_THRESHOLD               | anomaly threshold; 0 = derive from SCORE_MEAN/SCORE_STDDEV       |
 * | SCORE_MEAN, SCORE_STDDEV      | the model's training score statistics (needed when threshold 0)  |
 * | SCORE_THRESHOLD_SIGMAS        | sigmas over the mean when deriving (default 3)                   |
 * | MAX_RECORD_BYTES              | values over this are dead-lettered as too-large                  |
 * | TTL_DAYS                      | items expire after this many days                                |
 * | REPORT_BATCH_ITEM_FAILURES    | "true" only if the event source mapping has ReportBatchItemFailures (provisioned mode) |
 * | SAGEMAKER_ENDPOINT_URL        | local override: SageMaker runtime endpoint (the local model server) |
 * | DYNAMODB_ENDPOINT_URL         | local override: DynamoDB endpoint (local DynamoDB, dynalite)     |
 * | S3_ENDPOINT_URL               | local override: S3 endpoint (path-style)                         |
 * | POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE | read by Powertools itself               |
 */
import { resolveThreshold } from "./decide";

export interface ProcessorSettings {
  readonly tableName: string;
  readonly endpointName: string;
  readonly deadLetterBucket: string;
  readonly deadLetterPrefix: string;
  readonly threshold: number;
  readonly maxRecordBytes: number;
  readonly ttlDays: number;
  readonly reportBatchItemFailures: boolean;
  readonly sagemakerEndpointUrl?: string;
  readonly dynamodbEndpointUrl?: string;
  readonly s3EndpointUrl?: string;
}

export class SettingsError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid environment: ${variable}: ${message}`);
    this.name = "SettingsError";
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === "") throw new SettingsError(name, "must be set");
  return v.trim();
}

function number(env: NodeJS.ProcessEnv, name: string, opts: { min: number; max: number; integer?: boolean; fallback?: number }): number {
  const raw = env[name];
  if ((raw === undefined || raw.trim() === "") && opts.fallback !== undefined) return opts.fallback;
  const v = Number(required(env, name));
  if (!Number.isFinite(v) || v < opts.min || v > opts.max || (opts.integer && !Number.isInteger(v))) {
    throw new SettingsError(name, `"${raw}" is not allowed; allowed: ${opts.integer ? "an integer" : "a number"} from ${opts.min} to ${opts.max}`);
  }
  return v;
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === "") return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new SettingsError(name, `"${v}" is not an http(s) URL`);
  }
  return v.trim();
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): ProcessorSettings {
  const configured = number(env, "SCORE_THRESHOLD", { min: 0, max: 1000 });
  let threshold: number;
  if (configured > 0) threshold = configured;
  else {
    const mean = number(env, "SCORE_MEAN", { min: 0, max: 1e6 });
    const stddev = number(env, "SCORE_STDDEV", { min: 0, max: 1e6 });
    const sigmas = number(env, "SCORE_THRESHOLD_SIGMAS", { min: 0.5, max: 10, fallback: 3 });
    try {
      threshold = resolveThreshold(0, sigmas, { mean, stddev });
    } catch (e) {
      throw new SettingsError("SCORE_THRESHOLD", (e as Error).message);
    }
  }
  const flag = (env.REPORT_BATCH_ITEM_FAILURES ?? "false").trim().toLowerCase();
  if (flag !== "true" && flag !== "false") throw new SettingsError("REPORT_BATCH_ITEM_FAILURES", `"${flag}" is not allowed; allowed: true, false`);
  return {
    tableName: required(env, "TABLE_NAME"),
    endpointName: required(env, "SAGEMAKER_ENDPOINT_NAME"),
    deadLetterBucket: required(env, "DEAD_LETTER_BUCKET"),
    deadLetterPrefix: env.DEAD_LETTER_PREFIX?.trim() ?? "",
    threshold,
    maxRecordBytes: number(env, "MAX_RECORD_BYTES", { min: 1024, max: 1048576, integer: true }),
    ttlDays: number(env, "TTL_DAYS", { min: 1, max: 3650, integer: true }),
    reportBatchItemFailures: flag === "true",
    sagemakerEndpointUrl: url(env, "SAGEMAKER_ENDPOINT_URL"),
    dynamodbEndpointUrl: url(env, "DYNAMODB_ENDPOINT_URL"),
    s3EndpointUrl: url(env, "S3_ENDPOINT_URL"),
  };
}
