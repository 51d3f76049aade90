import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { PipelineConfig } from "../lib/config";
import type { FoundationStack } from "./foundation";

export interface PlatformStackProps {
  readonly config: PipelineConfig;
  readonly foundation: FoundationStack;
}

/** Argo CD and the GitOps bootstrap on the EKS cluster. */
export class PlatformStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    void props;
  }
}
