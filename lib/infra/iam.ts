/**
 * IAM policy documents as plain data. Statements are written next to the resource they protect
 * (grant helpers on the constructs) and always name ARNs; the few actions AWS does not scope to
 * resources are listed in WILDCARD_EXCEPTIONS with the reason, and tests check against that list.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { Construct } from "constructs";

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Principal?: Record<string, string | readonly string[]>;
  readonly Condition?: Record<string, Record<string, string | boolean | readonly string[]>>;
}

const list = (v: string | readonly string[]): string[] => (typeof v === "string" ? [v] : [...v]);

/**
 * A policy document as an `aws_iam_policy_document` data source; returns its JSON. A data source
 * rather than a JSON string because ARNs are Terraform references: cdktf's HCL renderer does not
 * escape quotes in strings that contain references, and the data source keeps each statement
 * readable in plans and checkable by tests.
 */
export function policyDocument(scope: Construct, id: string, statements: readonly PolicyStatement[]): string {
  const doc = new DataAwsIamPolicyDocument(scope, id, {
    statement: statements.map((s) => ({
      sid: s.Sid,
      effect: s.Effect ?? "Allow",
      actions: list(s.Action),
      resources: list(s.Resource),
      principals: s.Principal ? Object.entries(s.Principal).map(([type, ids]) => ({ type, identifiers: list(ids) })) : undefined,
      condition: s.Condition
        ? Object.entries(s.Condition).flatMap(([test, vars]) => Object.entries(vars).map(([variable, v]) => ({ test, variable, values: typeof v === "boolean" ? [String(v)] : list(v) })))
        : undefined,
    })),
  });
  return doc.json;
}

/** Trust policy letting an AWS service assume a role. */
export function serviceTrustPolicy(service: string, extraActions: readonly string[] = []): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", ...extraActions] }],
  });
}

/**
 * Actions that AWS does not let a policy scope to a resource ARN, so `Resource: "*"` is the only
 * form (see each service's "Actions, resources, and condition keys" page in the IAM reference).
 */
export const WILDCARD_EXCEPTIONS: Readonly<Record<string, string>> = {
  "ec2:CreateNetworkInterface": "Lambda VPC access: the ENI does not exist yet",
  "ec2:DescribeNetworkInterfaces": "Describe* calls have no resource-level permissions",
  "ec2:DeleteNetworkInterface": "Lambda VPC access: ENI ids are not known in advance",
  "ec2:AssignPrivateIpAddresses": "Lambda VPC access",
  "ec2:UnassignPrivateIpAddresses": "Lambda VPC access",
  "ec2:DescribeSubnets": "Describe* calls have no resource-level permissions",
  "ec2:DescribeSecurityGroups": "Describe* calls have no resource-level permissions",
  "ec2:DescribeVpcs": "Describe* calls have no resource-level permissions",
  "xray:PutTraceSegments": "X-Ray has no resource-level permissions",
  "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions",
  "cloudwatch:PutMetricData": "no resource-level permissions; scoped by the cloudwatch:namespace condition",
  "route53:ListHostedZones": "External-DNS: list calls have no resource-level permissions",
  "route53:ListTagsForResources": "External-DNS reads zone tags; scoped by zone ARN is not supported for the batch call",
  "ecr:GetAuthorizationToken": "account-wide token, no resource-level permissions",
  "sagemaker:ListTags": "the training script lists tags of its own job; SageMaker accepts only * here",
};
