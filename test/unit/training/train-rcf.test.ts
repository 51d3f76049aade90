import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTrainingJobCommand, DescribeTrainingJobCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../lib/config";
import { extractFeatures, featuresToCsvRow } from "../../../lib/features";
import { loadModel } from "../../../lib/rcf/model";
import { rcfImageUri, waitForTrainingJob } from "../../../lib/training/sagemaker";
import { generateLogEvents } from "../../../producer/generator";
import { readJsonl, train } from "../../../scripts/train-rcf";

const config = loadConfig({ env: {}, overrides: { sagemaker: { numTrees: 50, numSamplesPerTree: 64 } } });
const events = [...generateLogEvents({ seed: 4, count: 1500 })].map((g) => g.event);
const ROLE = "arn:aws:iam::123456789012:role/logpipe-dev-rcf-training";
const NOW = new Date("2026-11-25T10:11:12Z");
const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

function clients() {
  const s3 = new S3Client({ region: "eu-west-1", credentials: creds });
  const sm = new SageMakerClient({ region: "eu-west-1", credentials: creds });
  return { s3, sm, s3Mock: mockClient(s3), smMock: mockClient(sm) };
}

describe("train (SageMaker)", () => {
  it("uploads the feature CSV, sends the exact CreateTrainingJob request and prints the deploy commands", async () => {
    const { s3, sm, s3Mock, smMock } = clients();
    s3Mock.on(PutObjectCommand).resolves({});
    smMock.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: "arn:x" });
    smMock
      .on(DescribeTrainingJobCommand)
      .resolvesOnce({ TrainingJobStatus: "InProgress", SecondaryStatus: "Training" })
      .resolves({ TrainingJobStatus: "Completed", SecondaryStatus: "Completed", ModelArtifacts: { S3ModelArtifacts: "s3://bkt-artifacts/models/job/output/model.tar.gz" } });
    const lines: string[] = [];
    const r = await train(
      { events, config, local: false, bucket: "bkt-artifacts", roleArn: ROLE, now: NOW },
      { s3, sagemaker: sm, log: (l) => lines.push(l), sleep: async () => undefined, pollMs: 1 },
    );
    const job = "logpipe-dev-rcf-20261125101112";
    const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put.Bucket).toBe("bkt-artifacts");
    expect(put.Key).toBe(`training/2026/11/25/${job}/train.csv`);
    expect(put.Body).toBe(events.map((e) => featuresToCsvRow(extractFeatures(e))).join("\n") + "\n");
    expect(smMock.commandCalls(CreateTrainingJobCommand)[0].args[0].input).toEqual({
      TrainingJobName: job,
      AlgorithmSpecification: { TrainingImage: "438346466558.dkr.ecr.eu-west-1.amazonaws.com/randomcutforest:1", TrainingInputMode: "File" },
      RoleArn: ROLE,
      HyperParameters: { feature_dim: "7", num_trees: "50", num_samples_per_tree: "64" },
      InputDataConfig: [
        {
          ChannelName: "train",
          ContentType: "text/csv;label_size=0",
          DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: `s3://bkt-artifacts/training/2026/11/25/${job}/train.csv`, S3DataDistributionType: "ShardedByS3Key" } },
        },
      ],
      OutputDataConfig: { S3OutputPath: "s3://bkt-artifacts/models/" },
      ResourceConfig: { InstanceType: config.sagemaker.trainingInstanceType, InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      EnableNetworkIsolation: true,
      Tags: [{ Key: "project", Value: "logpipe" }],
    });
    expect(r.modelDataUrl).toBe("s3://bkt-artifacts/models/job/output/model.tar.gz");
    expect(lines.some((l) => l.includes("InProgress / Training"))).toBe(true);
    expect(lines).toContain(`  npx cdktf deploy pipeline --var model_data_url=${r.modelDataUrl} --var score_threshold=${r.threshold.toFixed(4)}`);
    expect(r.threshold).toBeCloseTo(r.localModel.stats.mean + 3 * r.localModel.stats.std, 10);
  });

  it.each([
    ["Failed", { FailureReason: "ClientError: feature_dim mismatch" }, /training job Failed: ClientError: feature_dim mismatch/],
    ["Stopped", {}, /training job Stopped/],
  ])("waiter: %s → a clear error", async (status, extra, message) => {
    const { sm, smMock } = clients();
    smMock.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: status as never, ...extra });
    await expect(waitForTrainingJob(sm, "j", { sleep: async () => undefined })).rejects.toThrow(message);
  });

  it("fails clearly without credentials, before touching S3", async () => {
    const s3 = new S3Client({ region: "eu-west-1", credentials: async () => Promise.reject(new Error("Could not load credentials from any providers")) });
    const sm = new SageMakerClient({ region: "eu-west-1" });
    const s3Mock = mockClient(s3);
    await expect(train({ events, config, local: false, bucket: "bkt-artifacts", roleArn: ROLE }, { s3, sagemaker: sm, log: () => undefined })).rejects.toThrow(/no AWS credentials found/);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it.each(["Bad_Bucket", "ab", "bucket..name"])("rejects the bucket name %s", async (bucket) => {
    const { s3, sm } = clients();
    await expect(train({ events, config, local: false, bucket, roleArn: ROLE }, { s3, sagemaker: sm, log: () => undefined })).rejects.toThrow(/not a valid S3 bucket name/);
  });

  it("knows the RCF image per region and refuses an unknown one", () => {
    expect(rcfImageUri("us-east-1")).toBe("382416733822.dkr.ecr.us-east-1.amazonaws.com/randomcutforest:1");
    expect(() => rcfImageUri("xx-nowhere-1")).toThrow(/no built-in RCF image/);
  });
});

describe("train --local and sources", () => {
  it("writes a model file the model server can load, with score statistics", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "train-")), "model", "rcf.json");
    const { s3, sm, s3Mock } = clients();
    const r = await train({ events, config, local: true, output: out }, { s3, sagemaker: sm, log: () => undefined });
    const loaded = loadModel(out);
    expect(loaded.featureDim).toBe(7);
    expect(loaded.stats).toEqual(r.localModel.stats);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it("reads JSONL and names the bad line", () => {
    const dir = mkdtempSync(join(tmpdir(), "jsonl-"));
    const good = join(dir, "good.jsonl");
    writeFileSync(good, events.slice(0, 3).map((e) => JSON.stringify(e)).join("\n"));
    expect(readJsonl(good)).toEqual(events.slice(0, 3));
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, JSON.stringify(events[0]) + "\n{oops\n");
    expect(() => readJsonl(bad)).toThrow(/bad\.jsonl:2: not JSON/);
  });

  it("refuses too little data", async () => {
    const { s3, sm } = clients();
    await expect(train({ events: events.slice(0, 10), config, local: true, output: "/tmp/x.json" }, { s3, sagemaker: sm, log: () => undefined })).rejects.toThrow(/at least 100/);
  });
});
