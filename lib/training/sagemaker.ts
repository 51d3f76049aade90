/**
 * Training the built-in Random Cut Forest on SageMaker: upload the feature CSV, start the
 * training job with the regional RCF image, wait for it, and report the model artifact.
 * Every AWS call goes through the clients passed in, so tests can assert the exact requests.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DescribeTrainingJobCommand, type CreateTrainingJobCommandInput, type SageMakerClient } from "@aws-sdk/client-sagemaker";

/**
 * Accounts that host the built-in algorithm images (randomcutforest:1), per region — from the
 * SageMaker developer guide, "Docker Registry Paths and Example Code" (Random Cut Forest).
 */
export const RCF_IMAGE_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "382416733822",
  "us-east-2": "404615174143",
  "us-west-1": "632365934929",
  "us-west-2": "174872318107",
  "af-south-1": "455444449433",
  "ap-east-1": "286214385809",
  "ap-northeast-1": "351501993468",
  "ap-northeast-2": "835164637446",
  "ap-northeast-3": "867004704886",
  "ap-south-1": "991648021394",
  "ap-southeast-1": "475088953585",
  "ap-southeast-2": "712309505854",
  "ca-central-1": "469771592824",
  "eu-central-1": "664544806723",
  "eu-north-1": "669576153137",
  "eu-south-1": "257386234256",
  "eu-west-1": "438346466558",
  "eu-west-2": "644912444149",
  "eu-west-3": "749696950732",
  "me-south-1": "249704162688",
  "sa-east-1": "855470959533",
};

export function rcfImageUri(region: string): string {
  const account = RCF_IMAGE_ACCOUNTS[region];
  if (!account) throw new Error(`no built-in RCF image is listed for region ${region}; known: ${Object.keys(RCF_IMAGE_ACCOUNTS).join(", ")}`);
  return `${account}.dkr.ecr.${region}.amazonaws.com/randomcutforest:1`;
}

const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function assertBucketName(bucket: string): void {
  if (!BUCKET_NAME.test(bucket) || bucket.includes("..")) {
    throw new Error(`"${bucket}" is not a valid S3 bucket name (3–63 lowercase letters, digits, '.', '-'); use the foundation output artifact_bucket`);
  }
}

export interface TrainingJobSpec {
  readonly jobName: string;
  readonly region: string;
  readonly bucket: string;
  /** Key of the uploaded training CSV. */
  readonly trainingKey: string;
  /** Prefix under which SageMaker writes <job>/output/model.tar.gz. */
  readonly outputPrefix: string;
  readonly roleArn: string;
  readonly instanceType: string;
  readonly featureDim: number;
  readonly numTrees: number;
  readonly numSamplesPerTree: number;
  readonly maxRuntimeSeconds?: number;
}

export function createTrainingJobRequest(s: TrainingJobSpec): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: s.jobName,
    AlgorithmSpecification: { TrainingImage: rcfImageUri(s.region), TrainingInputMode: "File" },
    RoleArn: s.roleArn,
    HyperParameters: {
      feature_dim: String(s.featureDim),
      num_trees: String(s.numTrees),
      num_samples_per_tree: String(s.numSamplesPerTree),
    },
    InputDataConfig: [
      {
        ChannelName: "train",
        ContentType: "text/csv;label_size=0",
        // RCF requires ShardedByS3Key for multi-instance training; harmless with one instance.
        DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: `s3://${s.bucket}/${s.trainingKey}`, S3DataDistributionType: "ShardedByS3Key" } },
      },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${s.bucket}/${s.outputPrefix}` },
    ResourceConfig: { InstanceType: s.instanceType as never, InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: s.maxRuntimeSeconds ?? 3600 },
    EnableNetworkIsolation: true,
    Tags: [{ Key: "project", Value: "logpipe" }],
  };
}

export async function uploadTrainingCsv(s3: S3Client, bucket: string, key: string, csv: string): Promise<void> {
  assertBucketName(bucket);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: csv, ContentType: "text/csv" }));
}

export interface WaitOptions {
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly onProgress?: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export class TrainingFailedError extends Error {
  constructor(
    readonly status: string,
    readonly reason: string,
  ) {
    super(`training job ${status}: ${reason}`);
  }
}

/** Polls DescribeTrainingJob until it ends; resolves with the model artifact URI on Completed. */
export async function waitForTrainingJob(sm: SageMakerClient, jobName: string, o: WaitOptions = {}): Promise<string> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const t0 = now();
  for (;;) {
    const d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    const status = d.TrainingJobStatus ?? "Unknown";
    o.onProgress?.(`[train] ${jobName}: ${status} / ${d.SecondaryStatus ?? "-"} (${Math.round((now() - t0) / 1000)} s)`);
    if (status === "Completed") {
      const uri = d.ModelArtifacts?.S3ModelArtifacts;
      if (!uri) throw new Error(`training job ${jobName} completed without a model artifact`);
      return uri;
    }
    if (status === "Failed") throw new TrainingFailedError(status, d.FailureReason ?? "no FailureReason given");
    if (status === "Stopped") throw new TrainingFailedError(status, "the job was stopped before it completed");
    if (now() - t0 > (o.timeoutMs ?? 2 * 3600_000)) throw new Error(`gave up waiting for ${jobName} after ${Math.round((now() - t0) / 1000)} s (status ${status})`);
    await sleep(o.pollMs ?? 30_000);
  }
}
