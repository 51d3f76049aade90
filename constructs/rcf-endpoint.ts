import { DataAwsSagemakerPrebuiltEcrImage } from "@cdktf/provider-aws/lib/data-aws-sagemaker-prebuilt-ecr-image";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { SagemakerEndpoint } from "@cdktf/provider-aws/lib/sagemaker-endpoint";
import { SagemakerEndpointConfiguration } from "@cdktf/provider-aws/lib/sagemaker-endpoint-configuration";
import { SagemakerModel } from "@cdktf/provider-aws/lib/sagemaker-model";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from "../lib/infra/iam";
import { ArtifactBucket, BUCKET_PREFIXES } from "./artifact-bucket";

export interface RcfEndpointProps {
  readonly name: string;
  readonly region: string;
  /** s3:// URI of model.tar.gz produced by a training job (a Terraform variable). */
  readonly modelDataUrl: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly bucket: ArtifactBucket;
  /** KMS key for the endpoint's storage volume. */
  readonly keyArn: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly privateSubnetIds: string[];
}

/**
 * SageMaker's built-in Random Cut Forest behind a real-time endpoint. The image is looked up
 * per region; the model artifact URI is an input, so rolling to a newly trained model is a
 * plan that replaces the model and endpoint configuration and updates the endpoint in place.
 */
export class RcfEndpoint extends Construct {
  readonly endpoint: SagemakerEndpoint;
  readonly endpointName: string;
  readonly endpointArn: string;

  constructor(scope: Construct, id: string, props: RcfEndpointProps) {
    super(scope, id);
    const image = new DataAwsSagemakerPrebuiltEcrImage(this, "image", { repositoryName: "randomcutforest", imageTag: "1", region: props.region });
    const role = new IamRole(this, "role", { name: `${props.name}-rcf-model`, assumeRolePolicy: serviceTrustPolicy("sagemaker.amazonaws.com") });
    new IamRolePolicy(this, "policy", {
      role: role.name,
      policy: policyDocument(this, "document", [
        ...props.bucket.readStatements(BUCKET_PREFIXES.models),
        {
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `arn:aws:logs:${props.region}:*:log-group:/aws/sagemaker/Endpoints/${props.name}-rcf*`,
        },
        { Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringLike: { "cloudwatch:namespace": "/aws/sagemaker/*" } } },
        {
          Sid: "EndpointInVpc",
          Action: ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"],
          Resource: "*",
        },
      ]),
    });
    // Network isolation keeps the container off the network; the SG only covers SageMaker's own ENIs.
    const sg = new SecurityGroup(this, "sg", { name: `${props.name}-rcf-endpoint`, description: "RCF endpoint: HTTPS inside the VPC only", vpcId: props.vpcId });
    new VpcSecurityGroupEgressRule(this, "egress-https", { securityGroupId: sg.id, description: "HTTPS inside the VPC", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: props.vpcCidr });
    const model = new SagemakerModel(this, "model", {
      // The name changes with the artifact, so a new model is created before the old one goes.
      name: `${props.name}-rcf-${Fn.substr(Fn.md5(props.modelDataUrl), 0, 8)}`,
      executionRoleArn: role.arn,
      primaryContainer: { image: image.registryPath, modelDataUrl: props.modelDataUrl },
      vpcConfig: { subnets: props.privateSubnetIds, securityGroupIds: [sg.id] },
      enableNetworkIsolation: true,
      lifecycle: { createBeforeDestroy: true },
    });
    const config = new SagemakerEndpointConfiguration(this, "config", {
      namePrefix: `${props.name}-rcf-`,
      kmsKeyArn: props.keyArn,
      productionVariants: [{ variantName: "AllTraffic", modelName: model.name, initialInstanceCount: props.instanceCount, instanceType: props.instanceType, initialVariantWeight: 1 }],
      lifecycle: { createBeforeDestroy: true },
    });
    this.endpoint = new SagemakerEndpoint(this, "endpoint", { name: `${props.name}-rcf`, endpointConfigName: config.name });
    this.endpointName = this.endpoint.name;
    this.endpointArn = this.endpoint.arn;
  }

  /** Statement to call the endpoint (the log processor): this endpoint only. */
  invokeStatement(): PolicyStatement {
    return { Action: "sagemaker:InvokeEndpoint", Resource: this.endpointArn };
  }
}
