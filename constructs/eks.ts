import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsEksAddonVersion } from "@cdktf/provider-aws/lib/data-aws-eks-addon-version";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from "../lib/infra/iam";
import { AWS_LOAD_BALANCER_CONTROLLER, EBS_CSI_CONTROLLER, EXTERNAL_DNS } from "../lib/platform";

export interface EksProps {
  readonly name: string;
  /** Kubernetes minor version, e.g. "1.34". */
  readonly kubernetesVersion: string;
  readonly privateSubnetIds: string[];
  /** KMS key for envelope encryption of Secrets and the control-plane log group. */
  readonly keyArn: string;
  readonly nodeInstanceTypes: readonly string[];
  readonly nodeMinSize: number;
  readonly nodeDesiredSize: number;
  readonly nodeMaxSize: number;
  readonly nodeDiskGiB: number;
  /** Give the identity that runs `apply` cluster-admin (bootstrap access entry). */
  readonly clusterCreatorAdmin: boolean;
  readonly publicEndpoint: boolean;
  readonly publicAccessCidrs: readonly string[];
  readonly logRetentionDays: number;
  /** ARN of the Route53 private zone External-DNS may change (and nothing else). */
  readonly privateZoneArn: string;
  /**
   * IAM principals (roles/users) that get cluster-admin through access entries.
   * @default []
   */
  readonly adminPrincipalArns?: readonly string[];
}

/** Control-plane log types sent to CloudWatch. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Managed add-ons, at the default version EKS picks for the cluster's Kubernetes version. */
export const CORE_ADDONS = ["vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver"] as const;

function podIdentityTrust(): string {
  return serviceTrustPolicy("pods.eks.amazonaws.com", ["sts:TagSession"]);
}

/**
 * EKS with API-mode access entries, KMS envelope encryption of Secrets, control-plane logs,
 * a managed AL2023 node group (IMDSv2 only, encrypted gp3 root volumes), the core add-ons, and
 * Pod Identity roles for the AWS Load Balancer Controller, External-DNS and the EBS CSI driver.
 */
export class Eks extends Construct {
  readonly cluster: EksCluster;
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  readonly clusterCaData: string;
  readonly clusterSecurityGroupId: string;
  readonly nodeRoleArn: string;
  readonly loadBalancerControllerRoleArn: string;
  readonly externalDnsRoleArn: string;

  constructor(scope: Construct, id: string, props: EksProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, "control-plane-logs", {
      // EKS writes to exactly this name; creating it first sets retention and encryption.
      name: `/aws/eks/${props.name}/cluster`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.keyArn,
    });
    const clusterRole = new IamRole(this, "cluster-role", { name: `${props.name}-eks-cluster`, assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com", ["sts:TagSession"]) });
    new IamRolePolicyAttachment(this, "cluster-policy", { role: clusterRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" });

    this.cluster = new EksCluster(this, "cluster", {
      name: props.name,
      version: props.kubernetesVersion,
      roleArn: clusterRole.arn,
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: props.clusterCreatorAdmin },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: props.keyArn } },
      vpcConfig: {
        subnetIds: props.privateSubnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: props.publicEndpoint,
        publicAccessCidrs: props.publicEndpoint ? [...props.publicAccessCidrs] : undefined,
      },
      dependsOn: [logGroup],
    });
    this.clusterName = this.cluster.name;
    this.clusterEndpoint = this.cluster.endpoint;
    this.clusterCaData = this.cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;

    (props.adminPrincipalArns ?? []).forEach((arn, i) => {
      const entry = new EksAccessEntry(this, `admin-${i}`, { clusterName: this.cluster.name, principalArn: arn, type: "STANDARD" });
      new EksAccessPolicyAssociation(this, `admin-${i}-policy`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        accessScope: { type: "cluster" },
      });
    });

    // --- nodes ---------------------------------------------------------------------------
    const nodeRole = new IamRole(this, "node-role", { name: `${props.name}-eks-node`, assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com") });
    for (const [i, policy] of ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"].entries()) {
      new IamRolePolicyAttachment(this, `node-policy-${i}`, { role: nodeRole.name, policyArn: `arn:aws:iam::aws:policy/${policy}` });
    }
    this.nodeRoleArn = nodeRole.arn;
    const launchTemplate = new LaunchTemplate(this, "node-template", {
      name: `${props.name}-nodes`,
      updateDefaultVersion: true,
      // IMDSv2 only, one hop: pods cannot borrow the node's role (they use Pod Identity).
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: props.nodeDiskGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
    });
    const nodes = new EksNodeGroup(this, "nodes", {
      clusterName: this.cluster.name,
      nodeGroupNamePrefix: `${props.name}-`,
      nodeRoleArn: nodeRole.arn,
      subnetIds: props.privateSubnetIds,
      amiType: "AL2023_x86_64_STANDARD",
      instanceTypes: [...props.nodeInstanceTypes],
      scalingConfig: { minSize: props.nodeMinSize, desiredSize: props.nodeDesiredSize, maxSize: props.nodeMaxSize },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.toString() },
      lifecycle: { createBeforeDestroy: true, ignoreChanges: ["scaling_config[0].desired_size"] },
    });

    // --- Pod Identity roles ----------------------------------------------------------------
    const podRole = (name: string, namespace: string, serviceAccount: string, statements: PolicyStatement[] | undefined, managedPolicy?: string) => {
      const role = new IamRole(this, `${name}-role`, { name: `${props.name}-${name}`, assumeRolePolicy: podIdentityTrust() });
      if (statements) new IamRolePolicy(this, `${name}-policy`, { role: role.name, policy: policyDocument(this, `${name}-document`, statements) });
      if (managedPolicy) new IamRolePolicyAttachment(this, `${name}-managed`, { role: role.name, policyArn: managedPolicy });
      new EksPodIdentityAssociation(this, `${name}-association`, { clusterName: this.cluster.name, namespace, serviceAccount, roleArn: role.arn });
      return role;
    };
    this.loadBalancerControllerRoleArn = podRole(
      "aws-load-balancer-controller",
      AWS_LOAD_BALANCER_CONTROLLER.namespace,
      AWS_LOAD_BALANCER_CONTROLLER.serviceAccount,
      loadBalancerControllerStatements(this.cluster.name),
    ).arn;
    this.externalDnsRoleArn = podRole("external-dns", EXTERNAL_DNS.namespace, EXTERNAL_DNS.serviceAccount, [
      { Sid: "ChangeOnlyThePrivateZone", Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResource"], Resource: props.privateZoneArn },
      { Sid: "FindZones", Action: ["route53:ListHostedZones", "route53:ListTagsForResources"], Resource: "*" },
    ]).arn;
    const ebsRole = podRole("ebs-csi", EBS_CSI_CONTROLLER.namespace, EBS_CSI_CONTROLLER.serviceAccount, undefined, "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");

    for (const name of CORE_ADDONS) {
      const version = new DataAwsEksAddonVersion(this, `${name}-version`, { addonName: name, kubernetesVersion: this.cluster.version });
      new EksAddon(this, `addon-${name}`, {
        clusterName: this.cluster.name,
        addonName: name,
        addonVersion: version.version,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "PRESERVE",
        podIdentityAssociation: name === "aws-ebs-csi-driver" ? [{ roleArn: ebsRole.arn, serviceAccount: EBS_CSI_CONTROLLER.serviceAccount }] : undefined,
        // CoreDNS and the CSI controller need nodes to schedule on.
        dependsOn: name === "coredns" || name === "aws-ebs-csi-driver" ? [nodes] : undefined,
      });
    }
  }
}

/**
 * The AWS Load Balancer Controller's permissions (after its published iam_policy.json): reads
 * are account-wide (Describe* has no resource scope); writes are limited to load balancers,
 * target groups and security groups the controller itself tagged for this cluster.
 */
function loadBalancerControllerStatements(clusterName: string): PolicyStatement[] {
  const ownedByThisCluster = { StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": clusterName } };
  return [
    { Action: "iam:CreateServiceLinkedRole", Resource: "*", Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } } },
    {
      Sid: "Describe",
      Action: [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:GetCoipPoolUsage",
        "ec2:DescribeCoipPools",
        "ec2:GetSecurityGroupsForVpc",
        "ec2:DescribeIpamPools",
        "ec2:DescribeRouteTables",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTrustStores",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeCapacityReservation",
      ],
      Resource: "*",
    },
    { Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"], Resource: "*", Condition: ownedByThisCluster },
    { Action: "ec2:CreateSecurityGroup", Resource: "*", Condition: { StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": clusterName } } },
    {
      Action: "ec2:CreateTags",
      Resource: "arn:aws:ec2:*:*:security-group/*",
      Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", "aws:RequestTag/elbv2.k8s.aws/cluster": clusterName } },
    },
    {
      Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": clusterName } },
    },
    {
      Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"],
      Resource: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*", "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*", "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*", "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*", "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*"],
    },
    {
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: ["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"],
      Condition: { StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": clusterName } },
    },
    {
      Action: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
      ],
      Resource: "*",
      Condition: ownedByThisCluster,
    },
    {
      Action: "elasticloadbalancing:AddTags",
      Resource: ["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"],
      Condition: { StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"], "aws:RequestTag/elbv2.k8s.aws/cluster": clusterName } },
    },
    { Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*" },
    {
      Action: ["elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities"],
      Resource: "*",
      Condition: ownedByThisCluster,
    },
  ];
}
