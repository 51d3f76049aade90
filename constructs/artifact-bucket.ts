import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { policyDocument, type PolicyStatement } from "../lib/infra/iam";

/** Key prefixes of the artifact bucket. */
export const BUCKET_PREFIXES = { training: "training/", models: "models/", deadLetter: "dead-letter/" } as const;

export interface ArtifactBucketProps {
  /** Bucket name prefix; AWS appends a unique suffix (names are global). */
  readonly namePrefix: string;
  /** KMS key for SSE-KMS (with S3 bucket keys, so KMS is called once per object batch). */
  readonly keyArn: string;
  /** Days before objects under `training/` and noncurrent versions expire. */
  readonly retentionDays: number;
}

/**
 * The S3 bucket for training data, model artifacts and dead-lettered raw records: private (all
 * four public-access blocks, bucket-owner-enforced ownership, TLS-only policy), SSE-KMS,
 * versioned, with lifecycle rules that expire old training sets and old versions.
 */
export class ArtifactBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id);
    this.keyArn = props.keyArn;
    this.bucket = new S3Bucket(this, "bucket", { bucketPrefix: props.namePrefix, forceDestroy: false });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    new S3BucketPublicAccessBlock(this, "public-access", { bucket: this.bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    new S3BucketOwnershipControls(this, "ownership", { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.keyArn }, bucketKeyEnabled: true }],
    });
    new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        { id: "expire-old-training-data", status: "Enabled", filter: [{ prefix: BUCKET_PREFIXES.training }], expiration: [{ days: props.retentionDays }] },
        { id: "expire-noncurrent-versions", status: "Enabled", filter: [{ prefix: "" }], noncurrentVersionExpiration: [{ noncurrentDays: props.retentionDays }] },
        { id: "abort-incomplete-uploads", status: "Enabled", filter: [{ prefix: "" }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
      ],
    });
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: policyDocument(this, "policy-document", [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "s3:*",
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": false } },
        },
      ]),
    });
  }

  /** ARN pattern of every object under a prefix. */
  objectsArn(prefix: string): string {
    return `${this.bucketArn}/${prefix}*`;
  }

  /** Statements to write objects under `prefix` (and use the bucket's key). */
  writeStatements(prefix: string): PolicyStatement[] {
    return [
      { Action: ["s3:PutObject"], Resource: this.objectsArn(prefix) },
      { Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: this.keyArn },
    ];
  }

  /** Statements to read objects under `prefix` (and list them). */
  readStatements(prefix: string): PolicyStatement[] {
    return [
      { Action: ["s3:GetObject"], Resource: this.objectsArn(prefix) },
      { Action: ["s3:ListBucket"], Resource: this.bucketArn, Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } },
      { Action: ["kms:Decrypt"], Resource: this.keyArn },
    ];
  }
}
