import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { PipelineConfig } from "../lib/config";
import type { FoundationStack } from "./foundation";

export interface PipelineStackProps {
  readonly config: PipelineConfig;
  readonly foundation: FoundationStack;
}

/** SageMaker model and endpoint, the log-processor Lambda and its Kafka event source. */
export class PipelineStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id);
    void props;
  }
}
