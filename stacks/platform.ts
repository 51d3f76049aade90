import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ArgoCdBootstrap } from "../constructs/argocd-bootstrap";
import { kafkaBootstrapServers, type PipelineConfig } from "../lib/config";

/** What the platform stack needs from the foundation stack (cross-stack references). */
export interface PlatformInputs {
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  /** Base64 certificate authority data of the cluster, as EKS returns it. */
  readonly clusterCaData: string;
  readonly vpcId: string;
  readonly loadBalancerControllerRoleArn: string;
  readonly externalDnsRoleArn: string;
  readonly privateZoneId: string;
  readonly privateZoneName: string;
  readonly producerRepositoryUrl: string;
}

export interface PlatformStackProps {
  readonly config: PipelineConfig;
  readonly inputs: PlatformInputs;
}

/**
 * Argo CD and the GitOps bootstrap on the EKS cluster. The helm and kubernetes providers are
 * configured from the foundation stack's outputs and authenticate with `aws eks get-token`, so
 * they need no kubeconfig and no long-lived token.
 */
export class PlatformStack extends TerraformStack {
  readonly bootstrap: ArgoCdBootstrap;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { config, inputs } = props;
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", inputs.clusterName, "--region", config.region, "--output", "json"],
    };
    const cluster = { host: inputs.clusterEndpoint, clusterCaCertificate: Fn.base64decode(inputs.clusterCaData), exec };
    new KubernetesProvider(this, "kubernetes", { ...cluster, exec: [exec] });
    new HelmProvider(this, "helm", { kubernetes: cluster });

    this.bootstrap = new ArgoCdBootstrap(this, "argocd", {
      argocdChartVersion: config.versions.argocdChart,
      argocdAppsChartVersion: config.versions.argocdAppsChart,
      repoUrl: config.gitops.repoUrl,
      revision: config.gitops.revision,
      clusterMetadata: {
        region: config.region,
        clusterName: inputs.clusterName,
        vpcId: inputs.vpcId,
        lbcRoleArn: inputs.loadBalancerControllerRoleArn,
        externalDnsRoleArn: inputs.externalDnsRoleArn,
        privateZoneId: inputs.privateZoneId,
        privateZoneName: inputs.privateZoneName,
        bootstrapServers: kafkaBootstrapServers(config).join(","),
        producerImage: `${inputs.producerRepositoryUrl}:${config.versions.producerImageTag}`,
        repoUrl: config.gitops.repoUrl,
        repoRevision: config.gitops.revision,
      },
    });

    new TerraformOutput(this, "argocd_namespace", {
      value: this.bootstrap.namespace,
      description: "Namespace of Argo CD; reach the UI with kubectl -n argocd port-forward svc/argocd-server 8080:443",
    });
  }
}
