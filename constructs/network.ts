import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { NatMode } from "../lib/config";
import { policyDocument, serviceTrustPolicy } from "../lib/infra/iam";

export interface NetworkProps {
  /** Name prefix of every resource. */
  readonly name: string;
  readonly region: string;
  /** IPv4 CIDR of the VPC; each subnet gets a /20 (public) or /19 (private) slice of it. */
  readonly cidr: string;
  /** Number of availability zones (2 or 3). */
  readonly azCount: number;
  /** One NAT gateway (`single`) or one per AZ (`per-az`). */
  readonly natMode: NatMode;
  /** EKS cluster name, for the `kubernetes.io/cluster/<name>` subnet tag. */
  readonly clusterName: string;
  /** KMS key for the flow-log group. */
  readonly logKeyArn: string;
  /**
   * Interface endpoints to create in the private subnets (service suffixes, e.g. "sts").
   * @default ["sagemaker.runtime", "sts", "secretsmanager", "logs", "lambda", "ecr.api", "ecr.dkr"]
   */
  readonly interfaceEndpoints?: readonly string[];
  /**
   * Retention of the VPC flow logs, days.
   * @default 365
   */
  readonly flowLogRetentionDays?: number;
}

/** Services the Lambda, the event source mapping poller and the nodes reach without NAT. */
export const DEFAULT_INTERFACE_ENDPOINTS = ["sagemaker.runtime", "sts", "secretsmanager", "logs", "lambda", "ecr.api", "ecr.dkr"] as const;

/**
 * A VPC over `azCount` AZs: public subnets (NAT, internet-facing load balancers) and private
 * subnets (nodes, pods, the Lambda, internal NLBs), tagged for the AWS Load Balancer Controller.
 * S3 and DynamoDB are reached through gateway endpoints, the AWS APIs the Lambda needs through
 * interface endpoints. The default security group is emptied and flow logs are on.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  /** Security group of the interface endpoints (HTTPS from the VPC). */
  readonly endpointSecurityGroupId: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const azs = new DataAwsAvailabilityZones(this, "azs", { state: "available", filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
    this.vpc = new Vpc(this, "vpc", { cidrBlock: props.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: props.name } });
    this.vpcId = this.vpc.id;
    this.vpcCidr = props.cidr;

    // Lock the default security group: nothing should use it, and an empty one allows nothing.
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, tags: { Name: `${props.name}-default-unused` } });

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: props.name } });
    const publicRt = new RouteTable(this, "public-rt", { vpcId: this.vpc.id, tags: { Name: `${props.name}-public` } });
    new Route(this, "public-default", { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    const clusterTag = `kubernetes.io/cluster/${props.clusterName}`;
    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    const privateRts: RouteTable[] = [];
    const nats: NatGateway[] = [];
    for (let i = 0; i < props.azCount; i++) {
      const az = Fn.element(azs.names, i);
      // Private /19s from the bottom of the VPC, public /20s after them: room for pods (VPC CNI).
      const priv = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: Fn.cidrsubnet(props.cidr, 3, i),
        tags: { Name: `${props.name}-private-${i}`, "kubernetes.io/role/internal-elb": "1", [clusterTag]: "shared" },
      });
      const pub = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: Fn.cidrsubnet(props.cidr, 4, 8 + i),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-public-${i}`, "kubernetes.io/role/elb": "1", [clusterTag]: "shared" },
      });
      new RouteTableAssociation(this, `public-rta-${i}`, { subnetId: pub.id, routeTableId: publicRt.id });
      publicSubnets.push(pub);
      privateSubnets.push(priv);
      if (props.natMode === "per-az" || i === 0) {
        const eip = new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: { Name: `${props.name}-nat-${i}` } });
        nats.push(new NatGateway(this, `nat-${i}`, { allocationId: eip.id, subnetId: pub.id, tags: { Name: `${props.name}-${i}` }, dependsOn: [igw] }));
      }
      const rt = new RouteTable(this, `private-rt-${i}`, { vpcId: this.vpc.id, tags: { Name: `${props.name}-private-${i}` } });
      new Route(this, `private-default-${i}`, { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nats[props.natMode === "per-az" ? i : 0].id });
      new RouteTableAssociation(this, `private-rta-${i}`, { subnetId: priv.id, routeTableId: rt.id });
      privateRts.push(rt);
    }
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    for (const svc of ["s3", "dynamodb"]) {
      new VpcEndpoint(this, `gateway-${svc}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${svc}`,
        vpcEndpointType: "Gateway",
        routeTableIds: privateRts.map((r) => r.id),
        tags: { Name: `${props.name}-${svc}` },
      });
    }

    const endpointSg = new SecurityGroup(this, "endpoints-sg", {
      name: `${props.name}-vpc-endpoints`,
      description: "HTTPS from inside the VPC to the interface endpoints",
      vpcId: this.vpc.id,
      tags: { Name: `${props.name}-vpc-endpoints` },
    });
    new VpcSecurityGroupIngressRule(this, "endpoints-https", {
      securityGroupId: endpointSg.id,
      description: "HTTPS from the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.cidr,
    });
    this.endpointSecurityGroupId = endpointSg.id;
    for (const svc of props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS) {
      new VpcEndpoint(this, `interface-${svc.replace(/\./g, "-")}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${svc}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [endpointSg.id],
        tags: { Name: `${props.name}-${svc}` },
      });
    }

    // Flow logs to CloudWatch (encrypted, bounded retention).
    const flowGroup = new CloudwatchLogGroup(this, "flow-logs", {
      name: `/aws/vpc/${props.name}/flow-logs`,
      retentionInDays: props.flowLogRetentionDays ?? 365,
      kmsKeyId: props.logKeyArn,
    });
    const flowRole = new IamRole(this, "flow-logs-role", { name: `${props.name}-vpc-flow-logs`, assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com") });
    new IamRolePolicy(this, "flow-logs-policy", {
      role: flowRole.name,
      policy: policyDocument(this, "flow-logs-document", [
        { Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [flowGroup.arn, `${flowGroup.arn}:*`] },
      ]),
    });
    new FlowLog(this, "flow-log", { vpcId: this.vpc.id, trafficType: "ALL", logDestination: flowGroup.arn, iamRoleArn: flowRole.arn });
  }
}
