import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ArtifactBucket } from "../constructs/artifact-bucket";
import { Eks } from "../constructs/eks";
import { EncryptionKey } from "../constructs/encryption-key";
import { KafkaDns } from "../constructs/kafka-dns";
import { LogTable } from "../constructs/log-table";
import { Network } from "../constructs/network";
import { ProducerRepository } from "../constructs/producer-repository";
import { TrainingRole } from "../constructs/training-role";
import { commonTags, kafkaBootstrapName, kafkaBrokerNames, namePrefix, type PipelineConfig } from "../lib/config";

export interface FoundationStackProps {
  readonly config: PipelineConfig;
}

/** Network, EKS, ECR, S3, DynamoDB, the private DNS zone, controller IAM and the training role. */
export class FoundationStack extends TerraformStack {
  readonly key: EncryptionKey;
  readonly network: Network;
  readonly dns: KafkaDns;
  readonly eks: Eks;
  readonly repository: ProducerRepository;
  readonly bucket: ArtifactBucket;
  readonly table: LogTable;
  readonly trainingRole: TrainingRole;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id);
    const c = props.config;
    const name = namePrefix(c);
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: commonTags(c) }] });

    this.key = new EncryptionKey(this, "key", { alias: `${name}-data`, description: `${name}: data at rest (S3, DynamoDB, ECR, EKS secrets, logs)`, region: c.region });
    this.network = new Network(this, "network", {
      name,
      region: c.region,
      cidr: c.network.vpcCidr,
      azCount: c.network.azCount,
      natMode: c.network.natMode,
      clusterName: name,
      logKeyArn: this.key.keyArn,
    });
    this.dns = new KafkaDns(this, "kafka-dns", { zoneName: c.kafka.privateZoneName, vpcId: this.network.vpcId, recordNames: [kafkaBootstrapName(c), ...kafkaBrokerNames(c)] });
    this.eks = new Eks(this, "eks", {
      name,
      kubernetesVersion: c.eks.kubernetesVersion,
      privateSubnetIds: this.network.privateSubnetIds,
      keyArn: this.key.keyArn,
      nodeInstanceTypes: c.eks.nodeInstanceTypes,
      nodeMinSize: c.eks.nodeMinSize,
      nodeDesiredSize: c.eks.nodeDesiredSize,
      nodeMaxSize: c.eks.nodeMaxSize,
      nodeDiskGiB: c.eks.nodeDiskGiB,
      clusterCreatorAdmin: c.eks.clusterCreatorAdmin,
      publicEndpoint: c.eks.publicEndpoint,
      publicAccessCidrs: c.eks.publicAccessCidrs,
      logRetentionDays: c.eks.logRetentionDays,
      privateZoneArn: this.dns.zoneArn,
    });
    this.repository = new ProducerRepository(this, "producer-repository", { name: `${name}/producer`, keyArn: this.key.keyArn });
    this.bucket = new ArtifactBucket(this, "artifacts", { namePrefix: `${name}-artifacts-`, keyArn: this.key.keyArn, retentionDays: c.storage.artifactRetentionDays });
    this.table = new LogTable(this, "scored-logs", {
      name: `${name}-scored-logs`,
      keyArn: this.key.keyArn,
      billingMode: c.storage.billingMode,
      readCapacity: c.storage.readCapacity,
      writeCapacity: c.storage.writeCapacity,
    });
    this.trainingRole = new TrainingRole(this, "training-role", { name: `${name}-rcf-training`, region: c.region, bucket: this.bucket });

    const out = (id: string, value: string, description: string) => new TerraformOutput(this, id, { value, description });
    out("cluster_name", this.eks.clusterName, "EKS cluster name (aws eks update-kubeconfig --name <this>)");
    out("vpc_id", this.network.vpcId, "VPC id");
    out("producer_repository_url", this.repository.repositoryUrl, "ECR repository for the producer image");
    out("artifact_bucket", this.bucket.bucketName, "S3 bucket for training data, models and dead-lettered records");
    out("table_name", this.table.tableName, "DynamoDB table of scored logs");
    out("training_role_arn", this.trainingRole.roleArn, "Execution role for SageMaker training jobs (scripts/train-rcf.ts --role-arn)");
    out("kafka_private_zone", this.dns.zoneName, "Route53 private zone with the Kafka bootstrap and broker names");
  }
}
