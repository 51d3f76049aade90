import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { kafkaBootstrapName, kafkaBrokerNames, loadConfig } from "../../lib/config";
import { GITOPS_DIR, renderGitops } from "../../scripts/gen-gitops";

const ROOT = join(__dirname, "..", "..");
const config = loadConfig({ env: {} });

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(f) ? [p] : [];
  });
}

function docs(): { file: string; doc: Record<string, any> }[] {
  return yamlFiles(GITOPS_DIR).flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8")).map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
      return { file, doc: d.toJS() as Record<string, any> };
    }),
  );
}

function find(kind: string, pred: (d: Record<string, any>) => boolean = () => true): Record<string, any> {
  const hit = docs().find((d) => d.doc.kind === kind && pred(d.doc));
  if (!hit) throw new Error(`no ${kind} in gitops/`);
  return hit.doc;
}

describe("gitops/", () => {
  it("is exactly what the configuration renders (run `tsx scripts/gen-gitops.ts` after a config change)", () => {
    const rendered = renderGitops(config);
    const onDisk = yamlFiles(GITOPS_DIR).map((f) => relative(GITOPS_DIR, f)).sort();
    expect(onDisk).toEqual(Object.keys(rendered).sort());
    for (const [path, content] of Object.entries(rendered)) expect(readFileSync(join(GITOPS_DIR, path), "utf8")).toBe(content);
  });

  it("every YAML document parses and has apiVersion and kind", () => {
    const all = docs();
    expect(all.length).toBeGreaterThanOrEqual(11);
    for (const { file, doc } of all) {
      expect([file, typeof doc.apiVersion, typeof doc.kind]).toEqual([file, "string", "string"]);
    }
  });

  it("pins every chart to an exact version and uses no Bitnami chart or image", () => {
    const sets = docs().filter((d) => d.doc.kind === "ApplicationSet");
    expect(sets.map((s) => s.doc.metadata.name).sort()).toEqual(["aws-load-balancer-controller", "external-dns", "kafka", "producer", "strimzi-operator"]);
    for (const { doc } of sets) {
      const src = doc.spec.template.spec.source;
      if (src.chart) expect(src.targetRevision).toMatch(/^\d+\.\d+\.\d+$/);
    }
    for (const file of yamlFiles(GITOPS_DIR)) expect(readFileSync(file, "utf8")).not.toMatch(/bitnami/i);
    const image = find("Deployment").spec.template.spec.containers[0].image as string;
    expect(image).toMatch(/:\d+\.\d+\.\d+$/);
  });

  it("every Git-sourced Application points at a path that exists in this repository", () => {
    const paths = docs()
      .filter((d) => d.doc.kind === "ApplicationSet" && d.doc.spec.template.spec.source.path)
      .map((d) => d.doc.spec.template.spec.source.path as string);
    expect(paths.sort()).toEqual(["gitops/kafka", "gitops/producer"]);
    for (const p of paths) expect(existsSync(join(ROOT, p))).toBe(true);
  });

  it("the Strimzi listener and External-DNS use the names and port of the config", () => {
    const kafka = find("Kafka");
    const lambda = kafka.spec.kafka.listeners.find((l: any) => l.name === "lambda");
    expect(lambda).toMatchObject({ type: "loadbalancer", port: config.kafka.listenerPort, tls: false });
    expect(lambda.configuration.bootstrap.annotations["external-dns.alpha.kubernetes.io/hostname"]).toBe(kafkaBootstrapName(config));
    expect(lambda.configuration.bootstrap.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internal");
    expect(lambda.configuration.bootstrap.annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"]).toBe("ip");
    expect(lambda.configuration.brokers.map((b: any) => b.advertisedHost)).toEqual(kafkaBrokerNames(config));
    expect(lambda.configuration.brokers.map((b: any) => b.annotations["external-dns.alpha.kubernetes.io/hostname"])).toEqual(kafkaBrokerNames(config));
    const pool = find("KafkaNodePool");
    expect(pool.spec.replicas).toBe(config.kafka.brokers);
    expect(pool.spec.roles.sort()).toEqual(["broker", "controller"]);
    expect(kafka.spec.kafka.version).toBe(config.versions.kafka);
    const dns = find("ApplicationSet", (d) => d.metadata.name === "external-dns").spec.template.spec.source.helm.valuesObject;
    expect(dns.domainFilters).toEqual([config.kafka.privateZoneName]);
    expect(dns.extraArgs).toContain("--aws-zone-type=private");
    const topic = find("KafkaTopic");
    expect(topic.metadata.name).toBe(config.kafka.topic);
    expect(topic.spec.partitions).toBe(config.kafka.partitions);
  });

  it("renders three brokers for the prod profile", () => {
    const prod = loadConfig({ env: { PIPELINE_PROFILE: "prod" } });
    const kafka = renderGitops(prod)["kafka/kafka.yaml"];
    expect(kafka).toContain("broker-2.kafka.logpipe.internal");
    expect(kafka).toContain("min.insync.replicas: 2");
  });

  it("runs the producer as non-root with probes, limits and a read-only root", () => {
    const pod = find("Deployment").spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(c.readinessProbe.httpGet.path).toBe("/healthz");
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.env.find((e: any) => e.name === "KAFKA_TOPIC").value).toBe(config.kafka.topic);
  });
});

describe("producer/Dockerfile", () => {
  const text = readFileSync(join(ROOT, "producer", "Dockerfile"), "utf8");
  const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);

  it("is multi-stage with a pinned base image tag", () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*$/);
  });

  it("runs as a non-root user and copies only what the build stage produced", () => {
    const runtime = text.slice(text.lastIndexOf("FROM "));
    expect(runtime).toMatch(/^USER\s+(1000|node)/m);
    expect(runtime).toMatch(/COPY --from=build/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it("copies only paths that exist, relative to the repository root", () => {
    const sources = [...text.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    for (const s of sources) expect([s, existsSync(join(ROOT, s))]).toEqual([s, true]);
  });
});

describe("Kafka names agree across config, Terraform and gitops/", () => {
  it("the ESM bootstrap servers and private zone are the names the Strimzi listener publishes", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthApp, one } = require("./constructs/helpers") as typeof import("./constructs/helpers");
    const { json } = synthApp("dev");
    const esm = one(json.pipeline, "aws_lambda_event_source_mapping");
    const zone = one(json.foundation, "aws_route53_zone");
    const kafka = find("Kafka");
    const lambda = kafka.spec.kafka.listeners.find((l: any) => l.name === "lambda");
    const bootstrapHost = lambda.configuration.bootstrap.annotations["external-dns.alpha.kubernetes.io/hostname"];
    expect(esm.self_managed_event_source.endpoints.KAFKA_BOOTSTRAP_SERVERS).toBe(`${bootstrapHost}:${lambda.port}`);
    expect(bootstrapHost.endsWith(`.${zone.name}`)).toBe(true);
    for (const b of lambda.configuration.brokers) expect(b.advertisedHost.endsWith(`.${zone.name}`)).toBe(true);
    expect(esm.topics).toEqual([find("KafkaTopic").metadata.name]);
    const dns = find("ApplicationSet", (d) => d.metadata.name === "external-dns").spec.template.spec.source.helm.valuesObject;
    expect(dns.domainFilters).toEqual([zone.name]);
  });
});
