import { Testing, TerraformStack } from "cdktf";
import { auditStack } from "../../lib/infra/iam-audit";
import { policyDocument, WILDCARD_EXCEPTIONS } from "../../lib/infra/iam";
import { synthApp } from "./constructs/helpers";

describe("IAM policies in the synthesized output", () => {
  for (const profile of ["dev", "prod"]) {
    it(`${profile}: no * action or resource for S3, DynamoDB, SageMaker, Lambda, KMS, Secrets Manager`, () => {
      const { json } = synthApp(profile, profile === "prod" ? { kafka: { saslScramSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf" } } : {});
      const findings = Object.entries(json).flatMap(([stack, tf]) => auditStack(stack, tf));
      expect(findings).toEqual([]);
      // The audit saw the documents it should have.
      expect(Object.keys(json.foundation.data.aws_iam_policy_document).length).toBeGreaterThan(5);
      expect(Object.keys(json.pipeline.data.aws_iam_policy_document).length).toBe(2);
    });
  }

  it("catches a * resource and a wildcard action on a data-plane service", () => {
    const stack = new TerraformStack(Testing.app(), "bad");
    policyDocument(stack, "doc", [
      { Action: ["s3:GetObject"], Resource: "*" },
      { Action: ["dynamodb:*"], Resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" },
      { Action: ["ec2:DescribeSubnets"], Resource: "*" },
    ]);
    const findings = auditStack("bad", JSON.parse(Testing.synth(stack)));
    expect(findings.map((f) => f.problem)).toEqual(["s3:GetObject on resource *", "wildcard action dynamodb:*"]);
  });

  it("lists a reason for every exception", () => {
    for (const [action, why] of Object.entries(WILDCARD_EXCEPTIONS)) expect([action, why.length > 10]).toEqual([action, true]);
  });
});
