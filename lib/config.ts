/**
 * The one source of configuration for the whole project: the CDKTF app, the Lambda's
 * build-time settings, the producer, the training script and the local pipeline all read
 * the object `loadConfig()` returns. It is validated once, when a program starts; a bad
 * value throws a `ConfigError` that names the field and the values it allows.
 *
 * Resolution order (later wins):
 *   1. the profile's defaults (`dev` or `prod`, chosen by `PIPELINE_PROFILE`, default `dev`)
 *   2. a JSON file of overrides named by `PIPELINE_CONFIG` (deep-merged; arrays replace)
 *   3. the `overrides` argument (tests use this)
 */
import { readFileSync } from "node:fs";

export type ProfileName = "dev" | "prod";
export const PROFILE_NAMES: readonly ProfileName[] = ["dev", "prod"];

export type NatMode = "single" | "per-az";
export type BillingMode = "PAY_PER_REQUEST" | "PROVISIONED";

export interface NetworkConfig {
  /** IPv4 CIDR of the VPC; subnets are carved from it. */
  readonly vpcCidr: string;
  /** How many availability zones the VPC spans (2 or 3). */
  readonly azCount: number;
  /** One NAT gateway for the VPC (`single`, cheap) or one per AZ (`per-az`, survives an AZ loss). */
  readonly natMode: NatMode;
}

export interface EksConfig {
  /** Kubernetes minor version of the control plane and node group, e.g. "1.34". */
  readonly kubernetesVersion: string;
  /** EC2 instance types of the managed node group (AL2023). */
  readonly nodeInstanceTypes: readonly string[];
  readonly nodeMinSize: number;
  readonly nodeDesiredSize: number;
  readonly nodeMaxSize: number;
  /** Root volume size of each node, GiB. */
  readonly nodeDiskGiB: number;
  /** Give the identity that creates the cluster cluster-admin through an access entry. */
  readonly clusterCreatorAdmin: boolean;
  /** Whether the API server has a public endpoint (private endpoint is always on). */
  readonly publicEndpoint: boolean;
  /** CIDRs allowed to reach the public endpoint. */
  readonly publicAccessCidrs: readonly string[];
  /** Retention of the control-plane log group, days. */
  readonly logRetentionDays: number;
}

export interface KafkaConfig {
  /** Topic the producer writes and the Lambda reads. */
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Consumer group of the Lambda event source mapping (and of the local poller). */
  readonly consumerGroupId: string;
  /** Name of the Strimzi Kafka cluster (also the Kubernetes namespace it lives in). */
  readonly clusterName: string;
  /** Route53 private hosted zone that holds the bootstrap and broker names. */
  readonly privateZoneName: string;
  /** Host label of the bootstrap name: `<bootstrapHost>.<privateZoneName>`. */
  readonly bootstrapHost: string;
  /** Host label prefix of broker names: `<brokerHostPrefix>-<id>.<privateZoneName>`. */
  readonly brokerHostPrefix: string;
  /** TCP port of the listener the Lambda uses (internal NLB). */
  readonly listenerPort: number;
  /** Number of broker nodes (KRaft combined controller+broker node pool). */
  readonly brokers: number;
  /** Persistent volume per broker, GiB. */
  readonly storageGiB: number;
  /** ARN of a Secrets Manager secret with SASL/SCRAM credentials; empty = no authentication. */
  readonly saslScramSecretArn: string;
}

export interface LambdaConfig {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Maximum records per invocation (event source mapping `batch_size`). */
  readonly batchSize: number;
  /** Seconds the event source waits to fill a batch (`maximum_batching_window_in_seconds`). */
  readonly batchingWindowSeconds: number;
  /** Provisioned pollers for the event source mapping; 0/0 turns provisioned mode off. */
  readonly provisionedPollers: { readonly min: number; readonly max: number };
  readonly logRetentionDays: number;
  /** Records larger than this many bytes are dead-lettered instead of scored. */
  readonly maxRecordBytes: number;
}

export interface SageMakerConfig {
  /** Instance type of the inference endpoint. */
  readonly instanceType: string;
  readonly instanceCount: number;
  /** Instance type of training jobs started by scripts/train-rcf.ts. */
  readonly trainingInstanceType: string;
  /** RCF hyperparameters used by training (SageMaker) and the local model. */
  readonly numTrees: number;
  readonly numSamplesPerTree: number;
}

export interface ScoringConfig {
  /**
   * Score above which a log is an anomaly. `0` means: derive it from the model's recorded
   * score statistics as mean + `thresholdSigmas` × std.
   */
  readonly threshold: number;
  readonly thresholdSigmas: number;
}

export interface StorageConfig {
  /** DynamoDB billing mode of the scored-log table. */
  readonly billingMode: BillingMode;
  /** Read/write capacity when `billingMode` is PROVISIONED. */
  readonly readCapacity: number;
  readonly writeCapacity: number;
  /** Scored logs expire (DynamoDB TTL) after this many days. */
  readonly ttlDays: number;
  /** Non-current versions and old objects under the training prefix expire after this many days. */
  readonly artifactRetentionDays: number;
}

export interface LocalConfig {
  /** Loopback ports of the local pipeline's services. */
  readonly kafkaPort: number;
  readonly dynamodbPort: number;
  readonly modelServerPort: number;
  readonly dashboardPort: number;
  /** Folder for downloaded jars, data and the local model (relative to the repo root). */
  readonly cacheDir: string;
}

export interface VersionsConfig {
  /** Apache Kafka version: the local broker's jars and the Strimzi Kafka resource. */
  readonly kafka: string;
  readonly argocdChart: string;
  readonly argocdAppsChart: string;
  readonly strimziChart: string;
  readonly awsLoadBalancerControllerChart: string;
  readonly externalDnsChart: string;
  /** Tag of the producer image in ECR (immutable tags: bump it for every release). */
  readonly producerImageTag: string;
}

export interface GitOpsConfig {
  /** HTTPS URL of the Git repository Argo CD syncs `gitops/` from. */
  readonly repoUrl: string;
  /** Branch, tag or commit Argo CD follows. */
  readonly revision: string;
}

export type StateBackend = "local" | "s3";

export interface StateConfig {
  /**
   * Where Terraform keeps state. `local`: files next to the synthesized stacks (relative paths,
   * so the output folder can move). `s3`: an S3 bucket with S3-native locking (use_lockfile).
   */
  readonly backend: StateBackend;
  /** State bucket (s3 backend only). */
  readonly bucket: string;
  /** Region of the state bucket (s3 backend only). */
  readonly region: string;
  /** Key prefix: state lives at <keyPrefix>/<environment>/<stack>.tfstate. */
  readonly keyPrefix: string;
}

export interface DashboardConfig {
  /** Deploy the QuickSight dashboard (Athena DynamoDB connector, data source, data set, dashboard). */
  readonly quicksightEnabled: boolean;
  /** QuickSight user or group ARN that may view and manage the dashboard (required when enabled). */
  readonly quicksightPrincipalArn: string;
  /** Pinned version of the AthenaDynamoDBConnector application (Serverless Application Repository). */
  readonly athenaConnectorVersion: string;
}

export interface PipelineConfig {
  /** Short project name; prefixes every resource name together with the environment. */
  readonly project: string;
  /** Environment name, e.g. "dev", "staging", "prod"; part of every name. */
  readonly environment: string;
  /** Which profile the defaults came from. */
  readonly profile: ProfileName;
  readonly region: string;
  readonly network: NetworkConfig;
  readonly eks: EksConfig;
  readonly kafka: KafkaConfig;
  readonly lambda: LambdaConfig;
  readonly sagemaker: SageMakerConfig;
  readonly scoring: ScoringConfig;
  readonly storage: StorageConfig;
  readonly local: LocalConfig;
  readonly versions: VersionsConfig;
  readonly gitops: GitOpsConfig;
  readonly state: StateConfig;
  readonly dashboard: DashboardConfig;
  /** Extra tags on every resource (project and environment tags are always added). */
  readonly tags: Readonly<Record<string, string>>;
}

const devProfile: PipelineConfig = {
  project: "logpipe",
  environment: "dev",
  profile: "dev",
  region: "eu-west-1",
  network: { vpcCidr: "10.40.0.0/16", azCount: 2, natMode: "single" },
  eks: {
    kubernetesVersion: "1.34",
    nodeInstanceTypes: ["m6i.large"],
    nodeMinSize: 2,
    nodeDesiredSize: 2,
    nodeMaxSize: 4,
    nodeDiskGiB: 50,
    clusterCreatorAdmin: true,
    publicEndpoint: true,
    publicAccessCidrs: ["0.0.0.0/0"],
    logRetentionDays: 30,
  },
  kafka: {
    topic: "app-logs",
    partitions: 6,
    replicationFactor: 1,
    consumerGroupId: "log-processor",
    clusterName: "logs",
    privateZoneName: "kafka.logpipe.internal",
    bootstrapHost: "bootstrap",
    brokerHostPrefix: "broker",
    listenerPort: 9094,
    brokers: 1,
    storageGiB: 20,
    saslScramSecretArn: "",
  },
  lambda: {
    memoryMb: 1024,
    timeoutSeconds: 60,
    batchSize: 500,
    batchingWindowSeconds: 1,
    provisionedPollers: { min: 0, max: 0 },
    logRetentionDays: 14,
    maxRecordBytes: 65536,
  },
  sagemaker: {
    instanceType: "ml.t2.medium",
    instanceCount: 1,
    trainingInstanceType: "ml.m5.large",
    numTrees: 100,
    numSamplesPerTree: 256,
  },
  scoring: { threshold: 0, thresholdSigmas: 3 },
  storage: {
    billingMode: "PAY_PER_REQUEST",
    readCapacity: 5,
    writeCapacity: 5,
    ttlDays: 30,
    artifactRetentionDays: 90,
  },
  local: {
    kafkaPort: 19092,
    dynamodbPort: 18000,
    modelServerPort: 18080,
    dashboardPort: 3000,
    cacheDir: ".cache",
  },
  versions: {
    kafka: "4.1.0",
    argocdChart: "9.1.9",
    argocdAppsChart: "2.0.2",
    strimziChart: "0.48.0",
    awsLoadBalancerControllerChart: "1.14.0",
    externalDnsChart: "1.19.0",
    producerImageTag: "0.1.0",
  },
  gitops: { repoUrl: "https://github.com/example-org/kafka-log-anomaly-pipeline.git", revision: "main" },
  state: { backend: "local", bucket: "", region: "eu-west-1", keyPrefix: "logpipe" },
  dashboard: { quicksightEnabled: false, quicksightPrincipalArn: "", athenaConnectorVersion: "2025.1.1" },
  tags: {},
};

const prodProfile: PipelineConfig = {
  ...devProfile,
  environment: "prod",
  profile: "prod",
  network: { vpcCidr: "10.50.0.0/16", azCount: 3, natMode: "per-az" },
  eks: {
    ...devProfile.eks,
    nodeInstanceTypes: ["m6i.xlarge"],
    nodeMinSize: 3,
    nodeDesiredSize: 3,
    nodeMaxSize: 6,
    nodeDiskGiB: 100,
    clusterCreatorAdmin: false,
    publicEndpoint: false,
    publicAccessCidrs: [],
    logRetentionDays: 90,
  },
  kafka: { ...devProfile.kafka, partitions: 12, replicationFactor: 3, brokers: 3, storageGiB: 200 },
  lambda: { ...devProfile.lambda, batchSize: 1000, provisionedPollers: { min: 1, max: 10 }, logRetentionDays: 90 },
  sagemaker: { ...devProfile.sagemaker, instanceType: "ml.m5.large", instanceCount: 2 },
  storage: { ...devProfile.storage, ttlDays: 90, artifactRetentionDays: 365 },
};

export const PROFILES: Readonly<Record<ProfileName, PipelineConfig>> = { dev: devProfile, prod: prodProfile };

export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`Invalid configuration: ${field}: ${message}`);
    this.name = "ConfigError";
  }
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge where arrays and scalars replace; unknown keys are kept so validation can name them. */
function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

export interface LoadConfigOptions {
  /** Profile to start from; default `PIPELINE_PROFILE` or "dev". */
  readonly profile?: string;
  /** Path of a JSON overrides file; default `PIPELINE_CONFIG`. */
  readonly file?: string;
  /** Overrides applied last. */
  readonly overrides?: DeepPartial<PipelineConfig> | Record<string, unknown>;
  /** Environment to read PIPELINE_* variables from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Builds, validates and freezes the configuration. Throws ConfigError on the first bad field. */
export function loadConfig(options: LoadConfigOptions = {}): PipelineConfig {
  const env = options.env ?? process.env;
  const profile = options.profile ?? env.PIPELINE_PROFILE ?? "dev";
  if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
    throw new ConfigError("profile", `"${profile}" is not a profile; allowed: ${PROFILE_NAMES.join(", ")}`);
  }
  let merged: unknown = PROFILES[profile as ProfileName];
  const file = options.file ?? env.PIPELINE_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new ConfigError("PIPELINE_CONFIG", `cannot read ${file}: ${(e as Error).message}`);
    }
    merged = merge(merged, parsed);
  }
  if (options.overrides) merged = merge(merged, options.overrides);
  validate(merged, PROFILES[profile as ProfileName]);
  return deepFreeze(merged as PipelineConfig);
}

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Validation: the shape is checked against the profile (unknown or mistyped keys are named),
// then the rules below check values.
// ---------------------------------------------------------------------------------------------

function checkShape(value: unknown, reference: unknown, path: string): void {
  if (isPlainObject(reference)) {
    if (!isPlainObject(value)) throw new ConfigError(path, `must be an object`);
    // `tags` is a free-form map; everything else has a fixed set of keys.
    if (path === "tags") {
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") throw new ConfigError(`tags.${k}`, "must be a string");
      }
      return;
    }
    for (const k of Object.keys(value)) {
      if (!(k in reference)) {
        throw new ConfigError(path ? `${path}.${k}` : k, `unknown field; allowed: ${Object.keys(reference).join(", ")}`);
      }
    }
    for (const [k, ref] of Object.entries(reference)) checkShape(value[k], ref, path ? `${path}.${k}` : k);
    return;
  }
  if (Array.isArray(reference)) {
    if (!Array.isArray(value)) throw new ConfigError(path, "must be an array");
    value.forEach((v, i) => {
      if (typeof v !== "string") throw new ConfigError(`${path}[${i}]`, "must be a string");
    });
    return;
  }
  if (typeof value !== typeof reference) {
    throw new ConfigError(path, `must be a ${typeof reference}, got ${value === undefined ? "nothing" : JSON.stringify(value)}`);
  }
}

function oneOf<T>(field: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) throw new ConfigError(field, `"${String(value)}" is not allowed; allowed: ${allowed.join(", ")}`);
}

function intIn(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `${value} is not allowed; allowed: an integer from ${min} to ${max}`);
  }
}

function numIn(field: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(field, `${value} is not allowed; allowed: a number from ${min} to ${max}`);
  }
}

function matches(field: string, value: string, re: RegExp, what: string): void {
  if (!re.test(value)) throw new ConfigError(field, `"${value}" is not allowed; allowed: ${what}`);
}

const NAME = /^[a-z][a-z0-9-]{0,14}$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const SEMVER = /^\d+\.\d+\.\d+$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

function cidr(field: string, value: string, minPrefix: number, maxPrefix: number): void {
  const m = CIDR.exec(value);
  const ok = m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) >= minPrefix && Number(m[5]) <= maxPrefix;
  if (!ok) throw new ConfigError(field, `"${value}" is not allowed; allowed: an IPv4 CIDR with a prefix from /${minPrefix} to /${maxPrefix}`);
}

function validate(raw: unknown, reference: PipelineConfig): void {
  checkShape(raw, reference, "");
  const c = raw as PipelineConfig;
  matches("project", c.project, NAME, "lowercase letters, digits and '-', starting with a letter, at most 15 characters");
  matches("environment", c.environment, NAME, "lowercase letters, digits and '-', starting with a letter, at most 15 characters");
  oneOf("profile", c.profile, PROFILE_NAMES);
  matches("region", c.region, REGION, "an AWS region name such as eu-west-1");

  cidr("network.vpcCidr", c.network.vpcCidr, 16, 20);
  intIn("network.azCount", c.network.azCount, 2, 3);
  oneOf("network.natMode", c.network.natMode, ["single", "per-az"] as const);

  matches("eks.kubernetesVersion", c.eks.kubernetesVersion, /^1\.(3[2-9]|[4-9]\d)$/, "a Kubernetes minor version from 1.32 on, such as 1.34");
  if (c.eks.nodeInstanceTypes.length === 0) throw new ConfigError("eks.nodeInstanceTypes", "must name at least one instance type");
  c.eks.nodeInstanceTypes.forEach((t, i) => matches(`eks.nodeInstanceTypes[${i}]`, t, /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as m6i.large"));
  intIn("eks.nodeMinSize", c.eks.nodeMinSize, 1, 100);
  intIn("eks.nodeMaxSize", c.eks.nodeMaxSize, c.eks.nodeMinSize, 100);
  intIn("eks.nodeDesiredSize", c.eks.nodeDesiredSize, c.eks.nodeMinSize, c.eks.nodeMaxSize);
  intIn("eks.nodeDiskGiB", c.eks.nodeDiskGiB, 20, 2000);
  oneOf("eks.logRetentionDays", c.eks.logRetentionDays, LOG_RETENTION_DAYS);
  c.eks.publicAccessCidrs.forEach((v, i) => cidr(`eks.publicAccessCidrs[${i}]`, v, 0, 32));
  if (c.eks.publicEndpoint && c.eks.publicAccessCidrs.length === 0) {
    throw new ConfigError("eks.publicAccessCidrs", "must list at least one CIDR when eks.publicEndpoint is true");
  }

  matches("kafka.topic", c.kafka.topic, /^[a-zA-Z0-9._-]{1,249}$/, "a Kafka topic name: letters, digits, '.', '_', '-'");
  intIn("kafka.partitions", c.kafka.partitions, 1, 1000);
  intIn("kafka.brokers", c.kafka.brokers, 1, 9);
  intIn("kafka.replicationFactor", c.kafka.replicationFactor, 1, c.kafka.brokers);
  matches("kafka.consumerGroupId", c.kafka.consumerGroupId, /^[a-zA-Z0-9._-]{1,200}$/, "letters, digits, '.', '_', '-'");
  matches("kafka.clusterName", c.kafka.clusterName, DNS_LABEL, "a DNS label (lowercase letters, digits, '-')");
  matches("kafka.privateZoneName", c.kafka.privateZoneName, DNS_NAME, "a DNS name such as kafka.example.internal");
  matches("kafka.bootstrapHost", c.kafka.bootstrapHost, DNS_LABEL, "a DNS label (lowercase letters, digits, '-')");
  matches("kafka.brokerHostPrefix", c.kafka.brokerHostPrefix, DNS_LABEL, "a DNS label (lowercase letters, digits, '-')");
  intIn("kafka.listenerPort", c.kafka.listenerPort, 1024, 65535);
  intIn("kafka.storageGiB", c.kafka.storageGiB, 1, 16000);
  if (c.kafka.saslScramSecretArn !== "") {
    matches("kafka.saslScramSecretArn", c.kafka.saslScramSecretArn, /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, "empty, or a Secrets Manager secret ARN");
  }

  intIn("lambda.memoryMb", c.lambda.memoryMb, 128, 10240);
  intIn("lambda.timeoutSeconds", c.lambda.timeoutSeconds, 3, 900);
  intIn("lambda.batchSize", c.lambda.batchSize, 1, 10000);
  intIn("lambda.batchingWindowSeconds", c.lambda.batchingWindowSeconds, 0, 300);
  intIn("lambda.provisionedPollers.min", c.lambda.provisionedPollers.min, 0, 200);
  intIn("lambda.provisionedPollers.max", c.lambda.provisionedPollers.max, c.lambda.provisionedPollers.min, 2000);
  if (c.lambda.provisionedPollers.max > 0 && c.lambda.provisionedPollers.min < 1) {
    throw new ConfigError("lambda.provisionedPollers.min", "must be at least 1 when provisioned mode is on (max > 0)");
  }
  oneOf("lambda.logRetentionDays", c.lambda.logRetentionDays, LOG_RETENTION_DAYS);
  intIn("lambda.maxRecordBytes", c.lambda.maxRecordBytes, 1024, 1048576);

  matches("sagemaker.instanceType", c.sagemaker.instanceType, /^ml\.[a-z0-9]+\.[a-z0-9]+$/, "a SageMaker instance type such as ml.m5.large");
  intIn("sagemaker.instanceCount", c.sagemaker.instanceCount, 1, 20);
  matches("sagemaker.trainingInstanceType", c.sagemaker.trainingInstanceType, /^ml\.[a-z0-9]+\.[a-z0-9]+$/, "a SageMaker instance type such as ml.m5.large");
  // Bounds of SageMaker's RCF hyperparameters.
  intIn("sagemaker.numTrees", c.sagemaker.numTrees, 50, 1000);
  intIn("sagemaker.numSamplesPerTree", c.sagemaker.numSamplesPerTree, 1, 2048);

  numIn("scoring.threshold", c.scoring.threshold, 0, 1000);
  numIn("scoring.thresholdSigmas", c.scoring.thresholdSigmas, 0.5, 10);

  oneOf("storage.billingMode", c.storage.billingMode, ["PAY_PER_REQUEST", "PROVISIONED"] as const);
  intIn("storage.readCapacity", c.storage.readCapacity, 1, 40000);
  intIn("storage.writeCapacity", c.storage.writeCapacity, 1, 40000);
  intIn("storage.ttlDays", c.storage.ttlDays, 1, 3650);
  intIn("storage.artifactRetentionDays", c.storage.artifactRetentionDays, 1, 3650);

  for (const k of ["kafkaPort", "dynamodbPort", "modelServerPort", "dashboardPort"] as const) {
    intIn(`local.${k}`, c.local[k], 1024, 65535);
  }
  const ports = [c.local.kafkaPort, c.local.dynamodbPort, c.local.modelServerPort, c.local.dashboardPort];
  if (new Set(ports).size !== ports.length) throw new ConfigError("local", "the four ports must differ");
  if (c.local.cacheDir.trim() === "") throw new ConfigError("local.cacheDir", "must not be empty");

  matches("gitops.repoUrl", c.gitops.repoUrl, /^https:\/\/[^\s/$.?#].[^\s]*$/, "an https:// Git repository URL");
  matches("gitops.revision", c.gitops.revision, /^[A-Za-z0-9._\/-]{1,200}$/, "a branch, tag or commit");

  oneOf("state.backend", c.state.backend, ["local", "s3"] as const);
  if (c.state.backend === "s3") {
    matches("state.bucket", c.state.bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name (required when state.backend is s3)");
    matches("state.region", c.state.region, REGION, "an AWS region name such as eu-west-1");
  }
  matches("state.keyPrefix", c.state.keyPrefix, /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, "path segments of letters, digits, '.', '_', '-'");

  if (c.dashboard.quicksightEnabled) {
    matches("dashboard.quicksightPrincipalArn", c.dashboard.quicksightPrincipalArn, /^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/[^\s]+$/, "a QuickSight user or group ARN (required when dashboard.quicksightEnabled is true)");
  }
  matches("dashboard.athenaConnectorVersion", c.dashboard.athenaConnectorVersion, SEMVER, "a pinned version MAJOR.MINOR.PATCH");

  for (const k of Object.keys(c.versions) as (keyof VersionsConfig)[]) {
    matches(`versions.${k}`, c.versions[k], SEMVER, "a pinned version MAJOR.MINOR.PATCH (no ranges, no 'latest')");
  }
}

/** `<project>-<environment>`: the prefix of every resource name. */
export function namePrefix(c: PipelineConfig): string {
  return `${c.project}-${c.environment}`;
}

/** Fully qualified bootstrap name, e.g. bootstrap.kafka.logpipe.internal. */
export function kafkaBootstrapName(c: PipelineConfig): string {
  return `${c.kafka.bootstrapHost}.${c.kafka.privateZoneName}`;
}

/** Fully qualified broker names, e.g. broker-0.kafka.logpipe.internal (Strimzi node ids from 0). */
export function kafkaBrokerNames(c: PipelineConfig): string[] {
  return Array.from({ length: c.kafka.brokers }, (_, i) => `${c.kafka.brokerHostPrefix}-${i}.${c.kafka.privateZoneName}`);
}

/** `host:port` list for the Lambda event source mapping. */
export function kafkaBootstrapServers(c: PipelineConfig): string[] {
  return [`${kafkaBootstrapName(c)}:${c.kafka.listenerPort}`];
}

/** Tags put on every resource. */
export function commonTags(c: PipelineConfig): Record<string, string> {
  return { ...c.tags, project: c.project, environment: c.environment, "managed-by": "cdktf" };
}
