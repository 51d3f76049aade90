import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy } from "../lib/infra/iam";
import { ArtifactBucket, BUCKET_PREFIXES } from "./artifact-bucket";

export interface TrainingRoleProps {
  readonly name: string;
  readonly region: string;
  readonly bucket: ArtifactBucket;
}

/**
 * The execution role SageMaker training jobs assume (scripts/train-rcf.ts passes its ARN):
 * read the training prefix, write the models prefix, and write its own job logs and metrics.
 */
export class TrainingRole extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: TrainingRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", { name: props.name, assumeRolePolicy: serviceTrustPolicy("sagemaker.amazonaws.com") });
    new IamRolePolicy(this, "policy", {
      role: this.role.name,
      policy: policyDocument(this, "document", [
        ...props.bucket.readStatements(BUCKET_PREFIXES.training),
        ...props.bucket.writeStatements(BUCKET_PREFIXES.models),
        {
          Sid: "TrainingJobLogs",
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: `arn:aws:logs:${props.region}:*:log-group:/aws/sagemaker/TrainingJobs*`,
        },
        { Sid: "TrainingMetrics", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringLike: { "cloudwatch:namespace": "/aws/sagemaker/*" } } },
      ]),
    });
    this.roleArn = this.role.arn;
  }
}
