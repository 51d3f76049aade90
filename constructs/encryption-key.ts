import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { policyDocument, type PolicyStatement } from "../lib/infra/iam";

export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix, e.g. "logpipe-dev-data". */
  readonly alias: string;
  readonly description: string;
  /** AWS region, for the CloudWatch Logs service principal. */
  readonly region: string;
  /**
   * Let CloudWatch Logs use the key for log groups of this account.
   * @default true
   */
  readonly allowCloudWatchLogs?: boolean;
  /**
   * Days before a scheduled deletion happens.
   * @default 30
   */
  readonly deletionWindowDays?: number;
}

/**
 * A customer-managed KMS key with yearly rotation. The key policy gives the account's IAM the
 * usual control (so grants are done with IAM policies scoped to `keyArn`) and, optionally,
 * CloudWatch Logs the right to encrypt this account's log groups.
 */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;
  readonly keyArn: string;
  readonly keyId: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const statements: PolicyStatement[] = [
      {
        Sid: "AccountAdministersKey",
        Principal: { AWS: `arn:${partition.partition}:iam::${account.accountId}:root` },
        Action: "kms:*",
        // In a key policy "*" means this key.
        Resource: "*",
      },
    ];
    if (props.allowCloudWatchLogs ?? true) {
      statements.push({
        Sid: "CloudWatchLogsUsesKey",
        Principal: { Service: `logs.${props.region}.amazonaws.com` },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition.partition}:logs:${props.region}:${account.accountId}:log-group:*` } },
      });
    }
    this.key = new KmsKey(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: policyDocument(this, "policy", statements),
    });
    new KmsAlias(this, "alias", { name: `alias/${props.alias}`, targetKeyId: this.key.keyId });
    this.keyArn = this.key.arn;
    this.keyId = this.key.keyId;
  }

  /** Statement letting a principal encrypt and decrypt data with this key (data keys only). */
  useStatement(): PolicyStatement {
    return { Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: this.keyArn };
  }
}
