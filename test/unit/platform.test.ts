import { Testing } from "cdktf";
import { loadConfig } from "../../lib/config";
import { CLUSTER_ANNOTATIONS, CLUSTER_SECRET_LABEL } from "../../lib/platform";
import { PlatformStack, type PlatformInputs } from "../../stacks/platform";

const inputs: PlatformInputs = {
  clusterName: "logpipe-dev",
  clusterEndpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
  clusterCaData: "LS0tLS1CRUdJTg==",
  vpcId: "vpc-0123456789abcdef0",
  loadBalancerControllerRoleArn: "arn:aws:iam::123456789012:role/logpipe-dev-lbc",
  externalDnsRoleArn: "arn:aws:iam::123456789012:role/logpipe-dev-external-dns",
  privateZoneId: "Z0123456789ABCDEFGHIJ",
  privateZoneName: "kafka.logpipe.internal",
  producerRepositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/logpipe-dev-producer",
};

function synth(profile = "dev") {
  const config = loadConfig({ env: { PIPELINE_PROFILE: profile } });
  const app = Testing.app();
  const stack = new PlatformStack(app, "platform", { config, inputs });
  return { config, json: JSON.parse(Testing.synth(stack)) };
}

describe("platform stack", () => {
  it("configures helm and kubernetes from the cluster with aws eks get-token exec auth", () => {
    const { json } = synth();
    const helm = json.provider.helm[0].kubernetes;
    expect(helm.host).toBe(inputs.clusterEndpoint);
    expect(helm.cluster_ca_certificate).toContain("base64decode");
    expect(helm.exec).toMatchObject({ command: "aws", args: expect.arrayContaining(["eks", "get-token", "--cluster-name", inputs.clusterName]) });
    const k8s = json.provider.kubernetes[0];
    expect(k8s.exec[0] ?? k8s.exec).toMatchObject({ command: "aws", api_version: "client.authentication.k8s.io/v1beta1" });
    expect(JSON.stringify(json)).not.toMatch(/"token"|config_path/);
  });

  it("installs Argo CD and the root Application from pinned charts", () => {
    const { json, config } = synth();
    const releases = Object.values(json.resource.helm_release) as any[];
    const argocd = releases.find((r) => r.chart === "argo-cd");
    const apps = releases.find((r) => r.chart === "argocd-apps");
    expect(argocd.version).toBe(config.versions.argocdChart);
    expect(apps.version).toBe(config.versions.argocdAppsChart);
    for (const r of releases) expect(r.version).toMatch(/^\d+\.\d+\.\d+$/);
    const root = JSON.parse(apps.values[0]).applications.root;
    expect(root.source).toEqual({ repoURL: config.gitops.repoUrl, targetRevision: config.gitops.revision, path: "gitops/apps" });
    expect(apps.depends_on.length).toBe(2);
    expect(JSON.stringify(json.resource)).not.toContain("kubernetes_manifest");
  });

  it("writes what Terraform knows into the Argo CD cluster secret's annotations", () => {
    const { json, config } = synth();
    const secret = (Object.values(json.resource.kubernetes_secret_v1) as any[])[0];
    const meta = secret.metadata;
    expect(meta.labels).toMatchObject({ "argocd.argoproj.io/secret-type": "cluster", [CLUSTER_SECRET_LABEL.key]: CLUSTER_SECRET_LABEL.value });
    expect(Object.keys(meta.annotations).sort()).toEqual(Object.values(CLUSTER_ANNOTATIONS).sort());
    expect(meta.annotations[CLUSTER_ANNOTATIONS.externalDnsRoleArn]).toBe(inputs.externalDnsRoleArn);
    expect(meta.annotations[CLUSTER_ANNOTATIONS.privateZoneName]).toBe(inputs.privateZoneName);
    expect(meta.annotations[CLUSTER_ANNOTATIONS.bootstrapServers]).toBe(`bootstrap.${config.kafka.privateZoneName}:${config.kafka.listenerPort}`);
    expect(meta.annotations[CLUSTER_ANNOTATIONS.producerImage]).toBe(`${inputs.producerRepositoryUrl}:${config.versions.producerImageTag}`);
    // The secret carries no credentials: Argo CD uses its in-cluster service account.
    expect(JSON.parse(secret.data.config)).toEqual({ tlsClientConfig: { insecure: false } });
  });

  it("every ApplicationSet annotation it reads is one the secret carries", () => {
    const { readFileSync, readdirSync } = require("node:fs") as typeof import("node:fs");
    const { join } = require("node:path") as typeof import("node:path");
    const dir = join(__dirname, "..", "..", "gitops", "apps");
    const used = new Set<string>();
    for (const f of readdirSync(dir)) for (const m of readFileSync(join(dir, f), "utf8").matchAll(/annotations "([a-z_]+)"/g)) used.add(m[1]);
    expect(used.size).toBeGreaterThan(5);
    for (const u of used) expect(Object.values(CLUSTER_ANNOTATIONS)).toContain(u);
  });
});
