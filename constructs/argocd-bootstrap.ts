import { Release } from "@cdktf/provider-helm/lib/release";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Construct } from "constructs";
import { ARGOCD_NAMESPACE, CLUSTER_ANNOTATIONS, CLUSTER_SECRET_LABEL } from "../lib/platform";

export interface ArgoCdBootstrapProps {
  /** Pinned version of the argo-cd chart (argoproj/argo-helm). */
  readonly argocdChartVersion: string;
  /** Pinned version of the argocd-apps chart, which carries the root Application. */
  readonly argocdAppsChartVersion: string;
  /** Git repository and revision the root Application syncs `gitops/apps` from. */
  readonly repoUrl: string;
  readonly revision: string;
  /**
   * What Terraform knows and Git does not, written as annotations of the Argo CD cluster secret
   * (the gitops-bridge pattern); ApplicationSets template them into Helm values.
   */
  readonly clusterMetadata: { readonly [K in keyof typeof CLUSTER_ANNOTATIONS]: string };
  /**
   * Namespace of Argo CD.
   * @default "argocd"
   */
  readonly namespace?: string;
}

/**
 * Argo CD from its Helm chart, the in-cluster cluster secret with the bridge annotations, and
 * the app-of-apps root Application (via the argocd-apps chart, not kubernetes_manifest, so the
 * plan needs no CRDs and works before the cluster exists).
 */
export class ArgoCdBootstrap extends Construct {
  readonly argocd: Release;
  readonly rootApplication: Release;
  readonly clusterSecret: SecretV1;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: ArgoCdBootstrapProps) {
    super(scope, id);
    this.namespace = props.namespace ?? ARGOCD_NAMESPACE;

    this.argocd = new Release(this, "argocd", {
      name: "argocd",
      repository: "https://argoproj.github.io/argo-helm",
      chart: "argo-cd",
      version: props.argocdChartVersion,
      namespace: this.namespace,
      createNamespace: true,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
      values: [
        JSON.stringify({
          // Nothing exposed: the UI is reached with `kubectl port-forward`; no Dex, no anonymous access.
          dex: { enabled: false },
          configs: { cm: { "users.anonymous.enabled": "false", "admin.enabled": "true" }, params: { "server.insecure": false } },
          server: { service: { type: "ClusterIP" } },
          global: { securityContext: { runAsNonRoot: true } },
        }),
      ],
    });

    const annotations: Record<string, string> = {};
    for (const [k, annotation] of Object.entries(CLUSTER_ANNOTATIONS)) {
      annotations[annotation] = props.clusterMetadata[k as keyof typeof CLUSTER_ANNOTATIONS];
    }
    this.clusterSecret = new SecretV1(this, "cluster-secret", {
      metadata: {
        name: "in-cluster",
        namespace: this.namespace,
        labels: { "argocd.argoproj.io/secret-type": "cluster", [CLUSTER_SECRET_LABEL.key]: CLUSTER_SECRET_LABEL.value },
        annotations,
      },
      data: {
        name: "in-cluster",
        server: "https://kubernetes.default.svc",
        config: JSON.stringify({ tlsClientConfig: { insecure: false } }),
      },
      dependsOn: [this.argocd],
    });

    this.rootApplication = new Release(this, "root-application", {
      name: "argocd-apps",
      repository: "https://argoproj.github.io/argo-helm",
      chart: "argocd-apps",
      version: props.argocdAppsChartVersion,
      namespace: this.namespace,
      values: [
        JSON.stringify({
          applications: {
            root: {
              namespace: this.namespace,
              project: "default",
              source: { repoURL: props.repoUrl, targetRevision: props.revision, path: "gitops/apps" },
              destination: { server: "https://kubernetes.default.svc", namespace: this.namespace },
              syncPolicy: { automated: { prune: true, selfHeal: true } },
            },
          },
        }),
      ],
      dependsOn: [this.argocd, this.clusterSecret],
    });
  }
}
