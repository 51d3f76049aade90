import { ConfigError } from "../../../lib/config";
import { LOG_TABLE } from "../../../lib/scored-log";
import { one, policyStatements, resources, synthApp } from "./helpers";

const dev = synthApp("dev");
const prod = synthApp("prod");
const f = dev.json.foundation;

describe("network", () => {
  it("spans azCount AZs with tagged public and private subnets", () => {
    const subnets = resources(f, "aws_subnet");
    expect(subnets).toHaveLength(2 * dev.config.network.azCount);
    const pub = subnets.filter((s) => s.tags["kubernetes.io/role/elb"] === "1");
    const priv = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
    expect(pub).toHaveLength(dev.config.network.azCount);
    expect(priv).toHaveLength(dev.config.network.azCount);
    for (const s of pub) expect(s.map_public_ip_on_launch).toBe(false);
    // No subnet carries both roles: a wrong tag would send internal NLBs to public subnets.
    for (const s of subnets) expect(Boolean(s.tags["kubernetes.io/role/elb"]) !== Boolean(s.tags["kubernetes.io/role/internal-elb"])).toBe(true);
    expect(resources(prod.json.foundation, "aws_subnet")).toHaveLength(6);
  });

  it("has one NAT gateway in dev and one per AZ in prod", () => {
    expect(resources(f, "aws_nat_gateway")).toHaveLength(1);
    expect(resources(prod.json.foundation, "aws_nat_gateway")).toHaveLength(3);
  });

  it("has gateway endpoints for S3 and DynamoDB and interface endpoints for what the Lambda calls", () => {
    const eps = resources(f, "aws_vpc_endpoint");
    const names = (type: string) => eps.filter((e) => e.vpc_endpoint_type === type).map((e) => e.service_name.split(".").slice(3).join("."));
    expect(names("Gateway").sort()).toEqual(["dynamodb", "s3"]);
    expect(names("Interface")).toEqual(expect.arrayContaining(["sagemaker.runtime", "sts", "secretsmanager", "logs", "lambda"]));
    for (const e of eps.filter((x) => x.vpc_endpoint_type === "Interface")) expect(e.private_dns_enabled).toBe(true);
  });

  it("empties the default security group and logs flows", () => {
    const sg = one(f, "aws_default_security_group");
    expect(sg.ingress ?? []).toEqual([]);
    expect(sg.egress ?? []).toEqual([]);
    expect(one(f, "aws_flow_log").traffic_type).toBe("ALL");
  });
});

describe("eks", () => {
  const cluster = one(f, "aws_eks_cluster");
  it("uses API access entries, KMS secrets encryption, all control-plane logs", () => {
    expect(cluster.version).toBe(dev.config.eks.kubernetesVersion);
    expect(cluster.access_config).toMatchObject({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: true });
    expect(cluster.encryption_config.resources).toEqual(["secrets"]);
    expect(cluster.encryption_config.provider.key_arn).toMatch(/aws_kms_key/);
    expect(cluster.enabled_cluster_log_types).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
    const logs = resources(f, "aws_cloudwatch_log_group").find((g) => String(g.name).startsWith("/aws/eks/"));
    expect(logs!.retention_in_days).toBe(dev.config.eks.logRetentionDays);
    expect(one(prod.json.foundation, "aws_eks_cluster").access_config.bootstrap_cluster_creator_admin_permissions).toBe(false);
    expect(one(prod.json.foundation, "aws_eks_cluster").vpc_config.endpoint_public_access).toBe(false);
  });

  it("runs an AL2023 managed node group with IMDSv2 and encrypted volumes", () => {
    const ng = one(f, "aws_eks_node_group");
    expect(ng.ami_type).toBe("AL2023_x86_64_STANDARD");
    expect(ng.scaling_config).toEqual({ min_size: 2, desired_size: 2, max_size: 4 });
    const lt = one(f, "aws_launch_template");
    expect(lt.metadata_options.http_tokens).toBe("required");
    expect(lt.block_device_mappings[0].ebs.encrypted).toBe("true");
  });

  it("installs the core add-ons including the Pod Identity agent", () => {
    expect(resources(f, "aws_eks_addon").map((a) => a.addon_name).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
  });

  it("binds Pod Identity roles to the controllers' service accounts", () => {
    const assoc = resources(f, "aws_eks_pod_identity_association").map((a) => `${a.namespace}/${a.service_account}`);
    expect(assoc.sort()).toEqual(["external-dns/external-dns", "kube-system/aws-load-balancer-controller", "kube-system/ebs-csi-controller-sa"]);
  });

  it("lets External-DNS change records in the private zone only", () => {
    const docs = policyStatements(f).filter((s) => s.doc.includes("external-dns"));
    const change = docs.find((s) => s.statement.actions.includes("route53:ChangeResourceRecordSets"))!;
    expect(change.statement.resources).toHaveLength(1);
    expect(change.statement.resources[0]).toMatch(/^\$\{aws_route53_zone\.kafka-dns_zone_[A-F0-9]+\.arn\}$/);
    for (const d of docs) if (d.statement.resources.includes("*")) expect(d.statement.actions.every((a: string) => a.startsWith("route53:List"))).toBe(true);
  });
});

describe("storage", () => {
  it("keeps the artifact bucket private, encrypted, versioned and TLS-only", () => {
    const pab = one(f, "aws_s3_bucket_public_access_block");
    expect([pab.block_public_acls, pab.block_public_policy, pab.ignore_public_acls, pab.restrict_public_buckets]).toEqual([true, true, true, true]);
    expect(one(f, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(one(f, "aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    const deny = policyStatements(f).find((s) => s.statement.effect === "Deny")!.statement;
    expect(deny.condition[0]).toEqual({ test: "Bool", variable: "aws:SecureTransport", values: ["false"] });
    expect(one(f, "aws_s3_bucket_lifecycle_configuration").rule.map((r: any) => r.id)).toContain("expire-old-training-data");
  });

  it("builds the table from LOG_TABLE with PITR, SSE, TTL and the sparse anomaly index", () => {
    const t = one(f, "aws_dynamodb_table");
    expect([t.hash_key, t.range_key]).toEqual([LOG_TABLE.partitionKey.name, LOG_TABLE.sortKey.name]);
    expect(t.billing_mode).toBe("PAY_PER_REQUEST");
    expect(t.point_in_time_recovery.enabled).toBe(true);
    expect(t.server_side_encryption.enabled).toBe(true);
    expect(t.ttl).toEqual({ attribute_name: LOG_TABLE.ttlAttribute, enabled: true });
    expect(t.global_secondary_index[0]).toMatchObject({ name: LOG_TABLE.anomalyIndex.name, hash_key: "anomalyDay", range_key: "eventTime" });
    const provisioned = synthApp("dev", { storage: { billingMode: "PROVISIONED", writeCapacity: 50 } });
    expect(one(provisioned.json.foundation, "aws_dynamodb_table")).toMatchObject({ billing_mode: "PROVISIONED", write_capacity: 50 });
  });

  it("makes the producer repository immutable, scanned and expiring", () => {
    const repo = one(f, "aws_ecr_repository");
    expect(repo.image_tag_mutability).toBe("IMMUTABLE");
    expect(repo.image_scanning_configuration.scan_on_push).toBe(true);
    expect(JSON.parse(one(f, "aws_ecr_lifecycle_policy").policy).rules).toHaveLength(2);
  });

  it("creates the private zone holding the Kafka names, attached to the VPC", () => {
    const zone = one(f, "aws_route53_zone");
    expect(zone.name).toBe(dev.config.kafka.privateZoneName);
    expect(zone.vpc[0].vpc_id).toMatch(/aws_vpc/);
    expect(zone.comment).toContain(`bootstrap.${dev.config.kafka.privateZoneName}`);
  });
});

describe("naming, tags and configuration", () => {
  it("tags everything through the provider and prefixes names", () => {
    for (const stack of ["foundation", "pipeline"]) {
      const tags = dev.json[stack].provider.aws[0].default_tags[0].tags;
      expect(tags).toMatchObject({ project: "logpipe", environment: "dev" });
    }
    expect(one(f, "aws_eks_cluster").name).toBe("logpipe-dev");
    expect(one(f, "aws_dynamodb_table").name).toBe("logpipe-dev-scored-logs");
  });

  it("fails synthesis on a bad value, naming the field and what is allowed", () => {
    expect(() => synthApp("dev", { network: { natMode: "none" } })).toThrow(ConfigError);
    expect(() => synthApp("dev", { network: { natMode: "none" } })).toThrow(/network\.natMode.*allowed: single, per-az/);
    expect(() => synthApp("dev", { state: { backend: "s3", bucket: "" } })).toThrow(/state\.bucket/);
  });

  it("writes no secrets in outputs and uses only documented outputs", () => {
    const outs = Object.entries(f.output).filter(([k]) => !k.startsWith("cross-stack-output"));
    for (const [, o] of outs as [string, any][]) {
      expect(o.description).toBeTruthy();
      expect(o.sensitive).toBeUndefined();
    }
    expect(outs.map(([k]) => k)).toEqual(expect.arrayContaining(["cluster_name", "table_name", "artifact_bucket", "training_role_arn", "producer_repository_url"]));
  });

  it("keeps local state relative and switches to S3 with native locking", () => {
    expect(f.terraform.backend.local.path).toBe("../foundation.tfstate");
    const s3 = synthApp("dev", { state: { backend: "s3", bucket: "my-tf-state", region: "eu-west-1", keyPrefix: "logpipe" } });
    expect(s3.json.pipeline.terraform.backend.s3).toMatchObject({ bucket: "my-tf-state", key: "logpipe/dev/pipeline.tfstate", encrypt: true, use_lockfile: true });
  });
});
