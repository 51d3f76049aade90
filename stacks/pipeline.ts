import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { BUCKET_PREFIXES } from "../constructs/artifact-bucket";
import { QuickSightDashboard } from "../constructs/dashboard";
import { LogProcessor } from "../constructs/log-processor";
import { RcfEndpoint } from "../constructs/rcf-endpoint";
import { commonTags, kafkaBootstrapServers, namePrefix, type PipelineConfig } from "../lib/config";
import type { FoundationStack } from "./foundation";

export interface PipelineStackProps {
  readonly config: PipelineConfig;
  readonly foundation: FoundationStack;
}

/** SageMaker model and endpoint, the log-processor Lambda and its Kafka event source. */
export class PipelineStack extends TerraformStack {
  readonly endpoint: RcfEndpoint;
  readonly processor: LogProcessor;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id);
    const c = props.config;
    const f = props.foundation;
    const name = namePrefix(c);
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: commonTags(c) }] });

    // Both values come from one training run (conditions are written as "${…}" because the
    // JSON syntax reads plain strings as literal text, not as expressions).: scripts/train-rcf.ts prints them.
    const modelDataUrl = new TerraformVariable(this, "model_data_url", {
      type: "string",
      description: "s3:// URI of the trained RCF model.tar.gz (printed by scripts/train-rcf.ts)",
      validation: [{ condition: '${can(regex("^s3://[a-z0-9.-]{3,63}/.+", var.model_data_url))}', errorMessage: "model_data_url must be an s3:// URI of the model artifact, e.g. s3://bucket/models/job/output/model.tar.gz." }],
    });
    const threshold = new TerraformVariable(this, "score_threshold", {
      type: "number",
      description: "RCF score above which a log is an anomaly (mean + k·std of training scores, printed by scripts/train-rcf.ts)",
      default: c.scoring.threshold > 0 ? c.scoring.threshold : undefined,
      validation: [{ condition: "${var.score_threshold > 0}", errorMessage: "score_threshold must be greater than 0." }],
    });

    this.endpoint = new RcfEndpoint(this, "rcf", {
      name,
      region: c.region,
      modelDataUrl: modelDataUrl.stringValue,
      instanceType: c.sagemaker.instanceType,
      instanceCount: c.sagemaker.instanceCount,
      bucket: f.bucket,
      keyArn: f.key.keyArn,
      vpcId: f.network.vpcId,
      vpcCidr: f.network.vpcCidr,
      privateSubnetIds: f.network.privateSubnetIds,
    });
    this.processor = new LogProcessor(this, "log-processor", {
      name: `${name}-log-processor`,
      vpcId: f.network.vpcId,
      vpcCidr: f.network.vpcCidr,
      privateSubnetIds: f.network.privateSubnetIds,
      keyArn: f.key.keyArn,
      memoryMb: c.lambda.memoryMb,
      timeoutSeconds: c.lambda.timeoutSeconds,
      logRetentionDays: c.lambda.logRetentionDays,
      kafkaPort: c.kafka.listenerPort,
      environment: {
        TABLE_NAME: f.table.tableName,
        SAGEMAKER_ENDPOINT_NAME: this.endpoint.endpointName,
        DEAD_LETTER_BUCKET: f.bucket.bucketName,
        DEAD_LETTER_PREFIX: BUCKET_PREFIXES.deadLetter,
        SCORE_THRESHOLD: threshold.toString(),
        MAX_RECORD_BYTES: String(c.lambda.maxRecordBytes),
        TTL_DAYS: String(c.storage.ttlDays),
        POWERTOOLS_SERVICE_NAME: "log-processor",
        POWERTOOLS_METRICS_NAMESPACE: name,
      },
      statements: [this.endpoint.invokeStatement(), ...f.table.writeStatements(), ...f.bucket.writeStatements(BUCKET_PREFIXES.deadLetter)],
      kafka: {
        bootstrapServers: kafkaBootstrapServers(c),
        topic: c.kafka.topic,
        consumerGroupId: c.kafka.consumerGroupId,
        batchSize: c.lambda.batchSize,
        batchingWindowSeconds: c.lambda.batchingWindowSeconds,
        provisionedPollers: c.lambda.provisionedPollers,
        saslScramSecretArn: c.kafka.saslScramSecretArn,
      },
    });

    if (c.dashboard.quicksightEnabled) {
      const qs = new QuickSightDashboard(this, "quicksight", {
        name,
        region: c.region,
        tableName: f.table.tableName,
        principalArn: c.dashboard.quicksightPrincipalArn,
        keyArn: f.key.keyArn,
        connectorVersion: c.dashboard.athenaConnectorVersion,
      });
      new TerraformOutput(this, "quicksight_dashboard_id", { value: qs.dashboardId, description: "QuickSight dashboard id" });
    }

    new TerraformOutput(this, "endpoint_name", { value: this.endpoint.endpointName, description: "SageMaker RCF endpoint" });
    new TerraformOutput(this, "function_name", { value: this.processor.functionName, description: "Log-processor Lambda" });
    new TerraformOutput(this, "bootstrap_servers", { value: kafkaBootstrapServers(c).join(","), description: "Kafka bootstrap servers the event source mapping uses" });
    new TerraformOutput(this, "on_failure_queue_arn", { value: this.processor.onFailureQueueArn, description: "SQS queue receiving batches the event source mapping gave up on" });
  }
}
