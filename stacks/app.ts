import { LocalBackend, S3Backend, type App } from "cdktf";
import type { PipelineConfig } from "../lib/config";
import { FoundationStack } from "./foundation";
import { PipelineStack } from "./pipeline";
import { PlatformStack } from "./platform";

export interface AppStacks {
  readonly foundation: FoundationStack;
  readonly pipeline: PipelineStack;
  readonly platform: PlatformStack;
}

/** Adds the three stacks to an app; main.ts, scripts/synth.ts and the tests share this wiring. */
export function buildApp(app: App, config: PipelineConfig): AppStacks {
  const foundation = new FoundationStack(app, "foundation", { config });
  const pipeline = new PipelineStack(app, "pipeline", { config, foundation });
  const platform = new PlatformStack(app, "platform", {
    config,
    inputs: {
      clusterName: foundation.eks.clusterName,
      clusterEndpoint: foundation.eks.clusterEndpoint,
      clusterCaData: foundation.eks.clusterCaData,
      vpcId: foundation.network.vpcId,
      loadBalancerControllerRoleArn: foundation.eks.loadBalancerControllerRoleArn,
      externalDnsRoleArn: foundation.eks.externalDnsRoleArn,
      privateZoneId: foundation.dns.zoneId,
      privateZoneName: foundation.dns.zoneName,
      producerRepositoryUrl: foundation.repository.repositoryUrl,
    },
  });
  const stacks = { foundation, pipeline, platform };
  configureBackends(stacks, config);
  return stacks;
}

/**
 * Points every stack at the configured state backend. Local state uses paths relative to the
 * stack's own folder (siblings in the output tree), so the synthesized folders hold no absolute
 * path of this machine and can be moved or copied whole.
 */
export function configureBackends(stacks: AppStacks, config: PipelineConfig): void {
  for (const stack of [stacks.foundation, stacks.pipeline, stacks.platform]) {
    const name = stack.node.id;
    if (config.state.backend === "s3") {
      new S3Backend(stack, {
        bucket: config.state.bucket,
        key: `${config.state.keyPrefix}/${config.environment}/${name}.tfstate`,
        region: config.state.region,
        encrypt: true,
      });
      // S3-native locking (Terraform ≥ 1.10); cdktf's typings predate the option.
      stack.addOverride("terraform.backend.s3.use_lockfile", true);
    } else {
      new LocalBackend(stack, { path: `../${name}.tfstate` });
    }
  }
}
