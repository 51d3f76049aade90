import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { PipelineConfig } from "../lib/config";

export interface FoundationStackProps {
  readonly config: PipelineConfig;
}

/** Network, EKS, ECR, S3, DynamoDB, the private DNS zone and controller IAM. */
export class FoundationStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id);
    void props;
  }
}
