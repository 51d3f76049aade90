/**
 * Names shared by the Terraform side (Pod Identity associations, the Argo CD cluster secret)
 * and the GitOps side (Helm values, manifests). One place, so the two cannot drift.
 */
export const AWS_LOAD_BALANCER_CONTROLLER = { namespace: "kube-system", serviceAccount: "aws-load-balancer-controller" } as const;
export const EXTERNAL_DNS = { namespace: "external-dns", serviceAccount: "external-dns" } as const;
export const EBS_CSI_CONTROLLER = { namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" } as const;
export const STRIMZI_NAMESPACE = "strimzi";
export const PRODUCER_NAMESPACE = "producer";
export const ARGOCD_NAMESPACE = "argocd";

/** Label on the Argo CD cluster secret that the ApplicationSets select on. */
export const CLUSTER_SECRET_LABEL = { key: "logpipe.io/platform", value: "enabled" } as const;

/**
 * Annotations of the Argo CD cluster secret: what Terraform knows and Git does not (the
 * gitops-bridge pattern). ApplicationSets read them as {{metadata.annotations.<key>}}.
 */
export const CLUSTER_ANNOTATIONS = {
  region: "aws_region",
  clusterName: "aws_cluster_name",
  vpcId: "aws_vpc_id",
  lbcRoleArn: "aws_load_balancer_controller_role_arn",
  externalDnsRoleArn: "external_dns_role_arn",
  privateZoneId: "kafka_private_zone_id",
  privateZoneName: "kafka_private_zone_name",
  bootstrapServers: "kafka_bootstrap_servers",
  producerImage: "producer_image",
  repoUrl: "gitops_repo_url",
  repoRevision: "gitops_repo_revision",
} as const;
