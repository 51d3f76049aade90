import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Construct } from "constructs";
import type { BillingMode } from "../lib/config";
import type { PolicyStatement } from "../lib/infra/iam";
import { keyAttributes, LOG_TABLE } from "../lib/scored-log";

export interface LogTableProps {
  readonly name: string;
  /** KMS key for server-side encryption. */
  readonly keyArn: string;
  /**
   * On-demand (default) or provisioned capacity.
   * @default "PAY_PER_REQUEST"
   */
  readonly billingMode?: BillingMode;
  /** Read/write capacity units when provisioned (table and index). @default 5 */
  readonly readCapacity?: number;
  readonly writeCapacity?: number;
  /**
   * Keep the table when the stack is destroyed by accident.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * The scored-log table, built from LOG_TABLE (the same schema the local DynamoDB gets in tests):
 * key topic#partition / zero-padded offset, so a redelivered record overwrites itself; the
 * sparse `anomalies-by-time` index; TTL on `expiresAt`; PITR; SSE with the project's key.
 */
export class LogTable extends Construct {
  readonly table: DynamodbTable;
  readonly tableName: string;
  readonly tableArn: string;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: LogTableProps) {
    super(scope, id);
    const provisioned = props.billingMode === "PROVISIONED";
    const capacity = provisioned ? { readCapacity: props.readCapacity ?? 5, writeCapacity: props.writeCapacity ?? 5 } : {};
    this.keyArn = props.keyArn;
    this.table = new DynamodbTable(this, "table", {
      name: props.name,
      billingMode: props.billingMode ?? "PAY_PER_REQUEST",
      ...capacity,
      hashKey: LOG_TABLE.partitionKey.name,
      rangeKey: LOG_TABLE.sortKey.name,
      attribute: keyAttributes().map((a) => ({ name: a.name, type: a.type })),
      globalSecondaryIndex: [
        {
          name: LOG_TABLE.anomalyIndex.name,
          hashKey: LOG_TABLE.anomalyIndex.partitionKey.name,
          rangeKey: LOG_TABLE.anomalyIndex.sortKey.name,
          projectionType: "ALL",
          ...capacity,
        },
      ],
      ttl: { attributeName: LOG_TABLE.ttlAttribute, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.keyArn },
      deletionProtectionEnabled: props.deletionProtection ?? true,
    });
    this.tableName = this.table.name;
    this.tableArn = this.table.arn;
  }

  /** Statements to write items (the log processor): BatchWriteItem and PutItem on this table only. */
  writeStatements(): PolicyStatement[] {
    return [
      { Action: ["dynamodb:BatchWriteItem", "dynamodb:PutItem"], Resource: this.tableArn },
      { Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: this.keyArn },
    ];
  }

  /** Statements to read items and query the anomaly index (training script, dashboards). */
  readStatements(): PolicyStatement[] {
    return [
      { Action: ["dynamodb:Query", "dynamodb:Scan", "dynamodb:GetItem", "dynamodb:DescribeTable"], Resource: [this.tableArn, `${this.tableArn}/index/*`] },
      { Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: this.keyArn },
    ];
  }
}
