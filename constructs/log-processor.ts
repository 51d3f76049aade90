import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { buildSync } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from "../lib/infra/iam";
import { deterministicZip } from "../lib/infra/zip";

const REPO_ROOT = resolve(__dirname, "..");

export interface KafkaSourceProps {
  /** host:port list of the self-managed Kafka cluster (private-zone names). */
  readonly bootstrapServers: readonly string[];
  readonly topic: string;
  readonly consumerGroupId: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  /** Provisioned pollers; max 0 = on-demand mode (no retries limit, no partial batch responses). */
  readonly provisionedPollers: { readonly min: number; readonly max: number };
  /** Secrets Manager ARN of SASL/SCRAM-512 credentials; empty = no authentication. */
  readonly saslScramSecretArn: string;
}

export interface LogProcessorProps {
  readonly name: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly privateSubnetIds: string[];
  /** KMS key for the log group, the environment and the on-failure queue. */
  readonly keyArn: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly logRetentionDays: number;
  /** Environment of the handler (table, endpoint, bucket, threshold, ...). */
  readonly environment: Readonly<Record<string, string>>;
  /** What the handler may do (InvokeEndpoint, BatchWriteItem, PutObject …), scoped to ARNs. */
  readonly statements: readonly PolicyStatement[];
  readonly kafka: KafkaSourceProps;
  /** Kafka listener port the function's security group may reach inside the VPC. */
  readonly kafkaPort: number;
  /**
   * Entry file of the handler, bundled with esbuild.
   * @default functions/log-processor/handler.ts
   */
  readonly entry?: string;
}

/** Bundles the handler into one file and zips it deterministically; returns the zip path. */
export function bundleHandler(entry: string, outDir: string): string {
  const result = buildSync({
    entryPoints: [resolve(REPO_ROOT, entry)],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    write: false,
    // The Node 22 runtime ships AWS SDK v3, but bundling pins the version we test against.
    external: [],
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  mkdirSync(outDir, { recursive: true });
  const zip = join(outDir, "log-processor.zip");
  writeFileSync(zip, deterministicZip({ "index.js": code }));
  return zip;
}

/**
 * The log-processor Lambda in the private subnets and its self-managed Kafka event source
 * mapping. Nothing is public: the function's security group allows HTTPS to the VPC (endpoints)
 * and the Kafka listener port inside the VPC only.
 */
export class LogProcessor extends Construct {
  readonly function: LambdaFunction;
  readonly functionName: string;
  readonly functionArn: string;
  readonly roleArn: string;
  readonly eventSourceMapping: LambdaEventSourceMapping;
  readonly onFailureQueueArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: LogProcessorProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, "logs", { name: `/aws/lambda/${props.name}`, retentionInDays: props.logRetentionDays, kmsKeyId: props.keyArn });

    const sg = new SecurityGroup(this, "sg", { name: `${props.name}-lambda`, description: "Log processor: HTTPS to VPC endpoints, Kafka inside the VPC", vpcId: props.vpcId });
    new VpcSecurityGroupEgressRule(this, "egress-https", { securityGroupId: sg.id, description: "AWS APIs via VPC endpoints", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: props.vpcCidr });
    new VpcSecurityGroupEgressRule(this, "egress-kafka", { securityGroupId: sg.id, description: "Kafka listener (internal NLB)", ipProtocol: "tcp", fromPort: props.kafkaPort, toPort: props.kafkaPort, cidrIpv4: props.vpcCidr });
    new VpcSecurityGroupEgressRule(this, "egress-dns", { securityGroupId: sg.id, description: "VPC resolver", ipProtocol: "udp", fromPort: 53, toPort: 53, cidrIpv4: props.vpcCidr });
    this.securityGroupId = sg.id;

    const onFailure = new SqsQueue(this, "on-failure", { name: `${props.name}-on-failure`, kmsMasterKeyId: props.keyArn, messageRetentionSeconds: 1209600 });
    this.onFailureQueueArn = onFailure.arn;

    const role = new IamRole(this, "role", { name: `${props.name}-lambda`, assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com") });
    const secret = props.kafka.saslScramSecretArn;
    new IamRolePolicy(this, "policy", {
      role: role.name,
      policy: policyDocument(this, "document", [
        ...props.statements,
        { Sid: "Logs", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroup.arn}:*` },
        {
          Sid: "VpcAccess",
          Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
          Resource: "*",
        },
        { Sid: "Tracing", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
        { Sid: "OnFailureDestination", Action: "sqs:SendMessage", Resource: onFailure.arn },
        { Sid: "EncryptedResources", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: props.keyArn },
        ...(secret ? [{ Sid: "KafkaCredentials", Action: "secretsmanager:GetSecretValue", Resource: secret }] : []),
      ]),
    });
    this.roleArn = role.arn;

    const zip = bundleHandler(props.entry ?? "functions/log-processor/handler.ts", join(REPO_ROOT, ".cache", "build", props.name));
    const asset = new TerraformAsset(this, "code", { path: zip, type: AssetType.FILE });
    const provisioned = props.kafka.provisionedPollers.max > 0;
    this.function = new LambdaFunction(this, "function", {
      functionName: props.name,
      role: role.arn,
      runtime: "nodejs22.x",
      architectures: ["x86_64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: Fn.filebase64sha256(asset.path),
      memorySize: props.memoryMb,
      timeout: props.timeoutSeconds,
      kmsKeyArn: props.keyArn,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      tracingConfig: { mode: "Active" },
      vpcConfig: { subnetIds: props.privateSubnetIds, securityGroupIds: [sg.id] },
      environment: {
        variables: {
          ...props.environment,
          // Partial batch responses exist for Kafka event sources only in provisioned mode.
          REPORT_BATCH_ITEM_FAILURES: provisioned ? "true" : "false",
          NODE_OPTIONS: "--enable-source-maps",
        },
      },
      dependsOn: [logGroup],
    });
    this.functionName = this.function.functionName;
    this.functionArn = this.function.arn;

    const access = [
      ...props.privateSubnetIds.map((s) => ({ type: "VPC_SUBNET", uri: `subnet:${s}` })),
      { type: "VPC_SECURITY_GROUP", uri: `security_group:${sg.id}` },
      ...(secret ? [{ type: "SASL_SCRAM_512_AUTH", uri: secret }] : []),
    ];
    this.eventSourceMapping = new LambdaEventSourceMapping(this, "kafka", {
      functionName: this.function.arn,
      topics: [props.kafka.topic],
      startingPosition: "TRIM_HORIZON",
      batchSize: props.kafka.batchSize,
      maximumBatchingWindowInSeconds: props.kafka.batchingWindowSeconds,
      selfManagedEventSource: { endpoints: { KAFKA_BOOTSTRAP_SERVERS: props.kafka.bootstrapServers.join(",") } },
      selfManagedKafkaEventSourceConfig: { consumerGroupId: props.kafka.consumerGroupId },
      sourceAccessConfiguration: access,
      destinationConfig: { onFailure: { destinationArn: onFailure.arn } },
      ...(provisioned
        ? {
            provisionedPollerConfig: { minimumPollers: props.kafka.provisionedPollers.min, maximumPollers: props.kafka.provisionedPollers.max },
            functionResponseTypes: ["ReportBatchItemFailures"],
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: 10,
          }
        : {}),
    });
  }
}
