import { Testing, TerraformStack } from "cdktf";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "../../../lib/infra/zip";
import { bundleHandler } from "../../../constructs/log-processor";
import { one, policyStatements, resources, synthApp } from "./helpers";
import { policyDocument } from "../../../lib/infra/iam";

const dev = synthApp("dev");
const prod = synthApp("prod", { kafka: { saslScramSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-scram-AbCdEf" } });
const p = dev.json.pipeline;

describe("SageMaker RCF endpoint", () => {
  it("uses the regional built-in randomcutforest image and the model_data_url variable", () => {
    const img = Object.values(p.data.aws_sagemaker_prebuilt_ecr_image)[0] as any;
    expect(img.repository_name).toBe("randomcutforest");
    const model = one(p, "aws_sagemaker_model");
    expect(model.primary_container.image).toMatch(/data\.aws_sagemaker_prebuilt_ecr_image\..*registry_path/);
    expect(model.primary_container.model_data_url).toBe("${var.model_data_url}");
    expect(model.enable_network_isolation).toBe(true);
    const cfg = one(p, "aws_sagemaker_endpoint_configuration");
    expect(cfg.production_variants[0]).toMatchObject({ instance_type: dev.config.sagemaker.instanceType, initial_instance_count: dev.config.sagemaker.instanceCount });
    expect(cfg.kms_key_arn).toBeDefined();
    expect(one(prod.json.pipeline, "aws_sagemaker_endpoint_configuration").production_variants[0].initial_instance_count).toBe(2);
  });

  it("validates model_data_url as an s3:// URI and score_threshold as positive", () => {
    expect(p.variable.model_data_url.validation[0].condition).toMatch(/^\$\{can\(regex\("\^s3:\/\//);
    expect(p.variable.model_data_url.default).toBeUndefined();
    expect(p.variable.score_threshold.validation[0].condition).toBe("${var.score_threshold > 0}");
    const fixed = synthApp("dev", { scoring: { threshold: 2.5 } });
    expect(fixed.json.pipeline.variable.score_threshold.default).toBe(2.5);
  });
});

describe("log-processor Lambda", () => {
  const fn = one(p, "aws_lambda_function");
  it("runs a supported Node runtime in the private subnets with its own security group", () => {
    expect(fn.runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(fn.vpc_config.subnet_ids).toHaveLength(dev.config.network.azCount);
    expect(fn.vpc_config.security_group_ids).toEqual([expect.stringMatching(/aws_security_group\.log-processor_sg/)]);
    expect(fn.tracing_config.mode).toBe("Active");
    expect(fn.filename).toMatch(/^assets\//);
    const env = fn.environment.variables;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(["TABLE_NAME", "SAGEMAKER_ENDPOINT_NAME", "DEAD_LETTER_BUCKET", "DEAD_LETTER_PREFIX", "SCORE_THRESHOLD", "MAX_RECORD_BYTES", "TTL_DAYS"]));
    expect(env.SCORE_THRESHOLD).toBe("${var.score_threshold}");
    expect(env.REPORT_BATCH_ITEM_FAILURES).toBe("false");
    const logs = resources(p, "aws_cloudwatch_log_group")[0];
    expect(logs.retention_in_days).toBe(dev.config.lambda.logRetentionDays);
  });

  it("may call exactly its endpoint, its table and the dead-letter prefix", () => {
    const st = policyStatements(p).filter((s) => s.doc.startsWith("log-processor"));
    const find = (action: string) => st.filter((s) => s.statement.actions.includes(action)).map((s) => s.statement.resources);
    expect(find("sagemaker:InvokeEndpoint")).toEqual([[expect.stringMatching(/aws_sagemaker_endpoint\.rcf_endpoint_.*\.arn/)]]);
    expect(find("dynamodb:BatchWriteItem")).toEqual([[expect.stringMatching(/aws_dynamodb_table.*arn/)]]);
    expect(find("s3:PutObject")).toEqual([[expect.stringMatching(/arn\}\/dead-letter\/\*$/)]]);
    for (const { statement } of st) {
      for (const a of statement.actions) expect(a).not.toMatch(/\*/);
      if (statement.resources.includes("*")) expect(statement.actions.every((a: string) => /^(ec2|xray):/.test(a))).toBe(true);
    }
  });

  it("bundles the handler into a deterministic zip", () => {
    const dir = join(__dirname, "..", "..", "..", ".cache", "test-bundle");
    const a = readFileSync(bundleHandler("functions/log-processor/handler.ts", join(dir, "a")));
    const b = readFileSync(bundleHandler("functions/log-processor/handler.ts", join(dir, "b")));
    expect(crc32(a)).toBe(crc32(b));
    expect(a.subarray(0, 4).toString("hex")).toBe("504b0304");
  });
});

describe("self-managed Kafka event source mapping", () => {
  const esm = one(p, "aws_lambda_event_source_mapping");
  it("reads the configured topic from the private-zone bootstrap name inside the VPC", () => {
    expect(esm.self_managed_event_source.endpoints.KAFKA_BOOTSTRAP_SERVERS).toBe(`bootstrap.${dev.config.kafka.privateZoneName}:${dev.config.kafka.listenerPort}`);
    expect(esm.topics).toEqual([dev.config.kafka.topic]);
    expect(esm.self_managed_kafka_event_source_config.consumer_group_id).toBe(dev.config.kafka.consumerGroupId);
    expect(esm.batch_size).toBe(dev.config.lambda.batchSize);
    expect(esm.maximum_batching_window_in_seconds).toBe(dev.config.lambda.batchingWindowSeconds);
    const types = esm.source_access_configuration.map((s: any) => s.type);
    expect(types.filter((t: string) => t === "VPC_SUBNET")).toHaveLength(dev.config.network.azCount);
    expect(types).toContain("VPC_SECURITY_GROUP");
    expect(types).not.toContain("SASL_SCRAM_512_AUTH");
    expect(esm.destination_config.on_failure.destination_arn).toMatch(/aws_sqs_queue/);
    expect(esm.provisioned_poller_config).toBeUndefined();
  });

  it("in prod: provisioned pollers, partial batch responses, and SASL/SCRAM scoped to its secret", () => {
    const pe = one(prod.json.pipeline, "aws_lambda_event_source_mapping");
    expect(pe.provisioned_poller_config).toEqual({ minimum_pollers: 1, maximum_pollers: 10 });
    expect(pe.function_response_types).toEqual(["ReportBatchItemFailures"]);
    expect(pe.source_access_configuration).toContainEqual({ type: "SASL_SCRAM_512_AUTH", uri: prod.config.kafka.saslScramSecretArn });
    const secretRead = policyStatements(prod.json.pipeline).find((s) => s.statement.actions.includes("secretsmanager:GetSecretValue"))!;
    expect(secretRead.statement.resources).toEqual([prod.config.kafka.saslScramSecretArn]);
    expect(one(prod.json.pipeline, "aws_lambda_function").environment.variables.REPORT_BATCH_ITEM_FAILURES).toBe("true");
  });
});

describe("policy documents", () => {
  it("render statements as data (a * resource shows up where a test can see it)", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    policyDocument(stack, "doc", [{ Action: ["s3:GetObject"], Resource: "*" }]);
    const json = JSON.parse(Testing.synth(stack));
    expect(policyStatements(json)[0].statement).toMatchObject({ actions: ["s3:GetObject"], resources: ["*"], effect: "Allow" });
  });
});
