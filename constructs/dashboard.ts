import { AthenaDataCatalog } from "@cdktf/provider-aws/lib/athena-data-catalog";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { QuicksightDashboard } from "@cdktf/provider-aws/lib/quicksight-dashboard";
import { QuicksightDataSet } from "@cdktf/provider-aws/lib/quicksight-data-set";
import { QuicksightDataSource } from "@cdktf/provider-aws/lib/quicksight-data-source";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { ServerlessapplicationrepositoryCloudformationStack } from "@cdktf/provider-aws/lib/serverlessapplicationrepository-cloudformation-stack";
import { Construct } from "constructs";
import { DATASET_COLUMNS } from "../dashboard/queries";

export interface QuickSightDashboardProps {
  readonly name: string;
  readonly region: string;
  /** The scored-log table the data set reads. */
  readonly tableName: string;
  /** QuickSight user or group ARN granted the data source, data set and dashboard. */
  readonly principalArn: string;
  /** KMS key for the spill bucket. */
  readonly keyArn: string;
  /** Pinned AthenaDynamoDBConnector version (Serverless Application Repository). */
  readonly connectorVersion: string;
  /**
   * The connector application (AWS's, in the Serverless Application Repository).
   * @default arn:aws:serverlessrepo:us-east-1:292517598671:applications/AthenaDynamoDBConnector
   */
  readonly connectorApplicationId?: string;
}

const VIEWER_ACTIONS = ["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard", "quicksight:UpdateDashboardPermissions", "quicksight:DescribeDashboardPermissions", "quicksight:UpdateDashboard", "quicksight:DeleteDashboard", "quicksight:UpdateDashboardPublishedVersion"];

/**
 * QuickSight over the scored-log table, the way AWS documents it for DynamoDB: the Athena
 * DynamoDB connector (a Lambda from the Serverless Application Repository) with its own spill
 * bucket, an Athena data catalog of type LAMBDA, a QuickSight Athena data source, a direct-query
 * data set with the columns of dashboard/queries.ts, and a dashboard with the local dashboard's
 * views (score over time with the threshold, anomaly rate per service/endpoint, latest anomalies,
 * counts). Needs the account's QuickSight subscription (a one-time manual step, see README).
 */
export class QuickSightDashboard extends Construct {
  readonly dashboardId: string;
  readonly catalogName: string;
  readonly dataSetArn: string;

  constructor(scope: Construct, id: string, props: QuickSightDashboardProps) {
    super(scope, id);
    const account = new DataAwsCallerIdentity(this, "account");
    const catalog = `${props.name}-ddb`.replace(/[^a-z0-9-]/g, "-");
    this.catalogName = catalog;

    const spill = new S3Bucket(this, "spill", { bucketPrefix: `${props.name}-athena-spill-`, forceDestroy: true });
    new S3BucketPublicAccessBlock(this, "spill-public-access", { bucket: spill.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    new S3BucketServerSideEncryptionConfigurationA(this, "spill-encryption", { bucket: spill.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.keyArn }, bucketKeyEnabled: true }] });
    new S3BucketVersioningA(this, "spill-versioning", { bucket: spill.id, versioningConfiguration: { status: "Enabled" } });
    // Spilled query results are scratch data: gone after a day.
    new S3BucketLifecycleConfiguration(this, "spill-lifecycle", {
      bucket: spill.id,
      rule: [{ id: "expire-spill", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: 1 }], noncurrentVersionExpiration: [{ noncurrentDays: 1 }] }],
    });

    new ServerlessapplicationrepositoryCloudformationStack(this, "connector", {
      name: `${props.name}-athena-dynamodb-connector`,
      applicationId: props.connectorApplicationId ?? "arn:aws:serverlessrepo:us-east-1:292517598671:applications/AthenaDynamoDBConnector",
      semanticVersion: props.connectorVersion,
      capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
      parameters: { AthenaCatalogName: catalog, SpillBucket: spill.bucket, SpillPrefix: "athena-spill", LambdaMemory: "3008", LambdaTimeout: "900", DisableSpillEncryption: "false" },
    });
    new AthenaDataCatalog(this, "catalog", {
      name: catalog,
      type: "LAMBDA",
      description: "DynamoDB scored logs through the Athena DynamoDB connector",
      parameters: { function: `arn:aws:lambda:${props.region}:${account.accountId}:function:${catalog}` },
    });

    const permissions = (actions: string[]) => [{ principal: props.principalArn, actions }];
    const source = new QuicksightDataSource(this, "source", {
      dataSourceId: `${props.name}-athena`,
      name: `${props.name} scored logs (Athena)`,
      type: "ATHENA",
      parameters: { athena: { workGroup: "primary" } },
      permission: permissions(["quicksight:DescribeDataSource", "quicksight:DescribeDataSourcePermissions", "quicksight:PassDataSource", "quicksight:UpdateDataSource", "quicksight:DeleteDataSource", "quicksight:UpdateDataSourcePermissions"]),
    });
    const columns = DATASET_COLUMNS.map((c) => `"${c.toLowerCase()}"`).join(", ");
    const dataSet = new QuicksightDataSet(this, "data-set", {
      dataSetId: `${props.name}-scored-logs`,
      name: `${props.name} scored logs`,
      importMode: "DIRECT_QUERY",
      physicalTableMap: [
        {
          physicalTableMapId: "scoredlogs",
          customSql: {
            dataSourceArn: source.arn,
            name: "scored_logs",
            // The same rows the local dashboard reads: scored and rejected items of the table.
            sqlQuery: `SELECT ${columns} FROM "${catalog}"."default"."${props.tableName}"`,
            columns: [
              { name: "eventtime", type: "STRING" },
              { name: "service", type: "STRING" },
              { name: "endpoint", type: "STRING" },
              { name: "score", type: "DECIMAL" },
              { name: "threshold", type: "DECIMAL" },
              { name: "anomaly", type: "BIT" },
              { name: "status", type: "STRING" },
              { name: "topic", type: "STRING" },
              { name: "partition", type: "INTEGER" },
              { name: "offset", type: "STRING" },
            ],
          },
        },
      ],
      permissions: permissions(["quicksight:DescribeDataSet", "quicksight:DescribeDataSetPermissions", "quicksight:PassDataSet", "quicksight:DescribeIngestion", "quicksight:ListIngestions", "quicksight:UpdateDataSet", "quicksight:DeleteDataSet", "quicksight:CreateIngestion", "quicksight:CancelIngestion", "quicksight:UpdateDataSetPermissions"]),
    });
    this.dataSetArn = dataSet.arn;

    const dashboard = new QuicksightDashboard(this, "dashboard", {
      dashboardId: `${props.name}-anomalies`,
      name: `${props.name} log anomalies`,
      versionDescription: "managed by cdktf",
      permissions: permissions(VIEWER_ACTIONS),
    });
    this.dashboardId = dashboard.dashboardId;
    // The definition's schema is very deep; written as data (snake_case, as Terraform reads it).
    const col = (name: string) => ({ data_set_identifier: "logs", column_name: name });
    dashboard.addOverride("definition", {
      data_set_identifiers_declarations: [{ identifier: "logs", data_set_arn: dataSet.arn }],
      filter_groups: [
        {
          filter_group_id: "only-anomalies",
          cross_dataset: "SINGLE_DATASET",
          status: "ENABLED",
          scope_configuration: { selected_sheets: { sheet_visual_scoping_configurations: [{ sheet_id: "anomalies", scope: "SELECTED_VISUALS", visual_ids: ["latest-anomalies"] }] } },
          filters: [{ numeric_equality_filter: { filter_id: "anomaly-true", column: col("anomaly"), value: 1, match_operator: "EQUALS", null_option: "NON_NULLS_ONLY" } }],
        },
      ],
      sheets: [
        {
          sheet_id: "anomalies",
          name: "Anomalies",
          visuals: [
            {
              kpi_visual: {
                visual_id: "counts",
                title: { format_text: { plain_text: "Processed / anomalies" } },
                chart_configuration: { field_wells: { values: [{ numerical_measure_field: { field_id: "processed", column: col("score"), aggregation_function: { simple_numerical_aggregation: "COUNT" } } }] } },
              },
            },
            {
              line_chart_visual: {
                visual_id: "score-over-time",
                title: { format_text: { plain_text: "RCF score over time (with threshold)" } },
                chart_configuration: {
                  field_wells: {
                    line_chart_aggregated_field_wells: {
                      category: [{ categorical_dimension_field: { field_id: "time", column: col("eventtime") } }],
                      values: [
                        { numerical_measure_field: { field_id: "score", column: col("score"), aggregation_function: { simple_numerical_aggregation: "MAX" } } },
                        { numerical_measure_field: { field_id: "threshold", column: col("threshold"), aggregation_function: { simple_numerical_aggregation: "MAX" } } },
                      ],
                    },
                  },
                },
              },
            },
            {
              bar_chart_visual: {
                visual_id: "anomaly-rate",
                title: { format_text: { plain_text: "Anomaly rate per service / endpoint" } },
                chart_configuration: {
                  orientation: "HORIZONTAL",
                  field_wells: {
                    bar_chart_aggregated_field_wells: {
                      category: [{ categorical_dimension_field: { field_id: "endpoint", column: col("endpoint") } }],
                      colors: [{ categorical_dimension_field: { field_id: "service", column: col("service") } }],
                      values: [{ numerical_measure_field: { field_id: "rate", column: col("anomaly"), aggregation_function: { simple_numerical_aggregation: "AVERAGE" } } }],
                    },
                  },
                },
              },
            },
            {
              table_visual: {
                visual_id: "latest-anomalies",
                title: { format_text: { plain_text: "Latest anomalies" } },
                chart_configuration: {
                  field_wells: {
                    table_unaggregated_field_wells: {
                      values: ["eventtime", "service", "endpoint", "score", "topic", "partition", "offset"].map((c) => ({ field_id: `t-${c}`, column: col(c) })),
                    },
                  },
                },
              },
            },
          ],
        },
      ],
    });
  }
}
