import { DATASET_COLUMNS } from "../../dashboard/queries";
import { auditStack } from "../../lib/infra/iam-audit";
import { one, resources, synthApp } from "./constructs/helpers";

const PRINCIPAL = "arn:aws:quicksight:eu-west-1:123456789012:group/default/analysts";

describe("QuickSight dashboard construct", () => {
  it("is off by default", () => {
    const { json } = synthApp("dev");
    for (const t of ["aws_quicksight_dashboard", "aws_quicksight_data_set", "aws_athena_data_catalog", "aws_serverlessapplicationrepository_cloudformation_stack"]) expect(resources(json.pipeline, t)).toHaveLength(0);
  });

  it("requires a principal when on, naming the field", () => {
    expect(() => synthApp("dev", { dashboard: { quicksightEnabled: true } })).toThrow(/dashboard\.quicksightPrincipalArn/);
  });

  describe("when on", () => {
    const { json, config } = synthApp("dev", { dashboard: { quicksightEnabled: true, quicksightPrincipalArn: PRINCIPAL } });
    const p = json.pipeline;
    const connector = one(p, "aws_serverlessapplicationrepository_cloudformation_stack");
    const catalog = one(p, "aws_athena_data_catalog");

    it("deploys the pinned Athena DynamoDB connector with a private, encrypted, expiring spill bucket", () => {
      expect(connector.application_id).toMatch(/applications\/AthenaDynamoDBConnector$/);
      expect(connector.semantic_version).toBe(config.dashboard.athenaConnectorVersion);
      expect(connector.parameters.SpillBucket).toMatch(/aws_s3_bucket\.quicksight_spill/);
      expect(one(p, "aws_s3_bucket_public_access_block").restrict_public_buckets).toBe(true);
      expect(one(p, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
      expect(one(p, "aws_s3_bucket_lifecycle_configuration").rule[0].expiration[0].days).toBe(1);
    });

    it("points the catalog at the connector function and the data set at the scored-log table", () => {
      expect(catalog.type).toBe("LAMBDA");
      expect(catalog.parameters.function).toContain(`:function:${connector.parameters.AthenaCatalogName}`);
      const ds = one(p, "aws_quicksight_data_set");
      const sql = ds.physical_table_map[0].custom_sql;
      expect(sql.data_source_arn).toMatch(/aws_quicksight_data_source\..*\.arn/);
      expect(sql.sql_query).toContain(`"${catalog.name}"."default"."`);
      expect(sql.sql_query).toMatch(/aws_dynamodb_table.*name/);
      for (const c of DATASET_COLUMNS) expect(sql.sql_query).toContain(`"${c.toLowerCase()}"`);
      expect(one(p, "aws_quicksight_data_source").type).toBe("ATHENA");
    });

    it("builds the dashboard's views on that data set and grants the configured principal", () => {
      const d = one(p, "aws_quicksight_dashboard");
      expect(d.definition.data_set_identifiers_declarations[0].data_set_arn).toMatch(/aws_quicksight_data_set\..*\.arn/);
      const visuals = d.definition.sheets[0].visuals.map((v: Record<string, { visual_id: string }>) => Object.values(v)[0].visual_id);
      expect(visuals).toEqual(["counts", "score-over-time", "anomaly-rate", "latest-anomalies"]);
      expect(d.definition.filter_groups[0].scope_configuration.selected_sheets.sheet_visual_scoping_configurations[0].visual_ids).toEqual(["latest-anomalies"]);
      for (const t of ["aws_quicksight_dashboard", "aws_quicksight_data_set"]) expect(one(p, t).permissions[0].principal).toBe(PRINCIPAL);
      expect(one(p, "aws_quicksight_data_source").permission[0].principal).toBe(PRINCIPAL);
      expect(auditStack("pipeline", p)).toEqual([]);
    });
  });
});
