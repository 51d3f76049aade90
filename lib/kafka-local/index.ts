/**
 * A real Apache Kafka broker for tests and the local pipeline, without Docker: the broker's jars
 * come from Maven Central (the same version Strimzi runs on EKS, `config.versions.kafka`), the
 * storage is formatted for KRaft, and one JVM runs a combined controller+broker on 127.0.0.1.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { assertPortFree, freePort, installFromMaven, REPO_ROOT, startJava, type JavaProcess } from "../java-service";

export interface KafkaInstallOptions {
  readonly version: string;
  readonly cacheDir?: string;
}

/** Installs the broker and Kafka's own tools (ProducerPerformance) jars; returns the lib folder. */
export function installKafka(opts: KafkaInstallOptions): string {
  return installFromMaven({
    name: `kafka-${opts.version}`,
    cacheDir: opts.cacheDir,
    artifacts: [
      { groupId: "org.apache.kafka", artifactId: "kafka_2.13", version: opts.version },
      { groupId: "org.apache.kafka", artifactId: "kafka-tools", version: opts.version },
    ],
  });
}

export interface LocalKafkaOptions {
  readonly version: string;
  /** Client port; 0 picks a free one. The controller port is always picked free. */
  readonly port?: number;
  /** Where the log segments and metadata live; formatted on first start, reused afterwards. */
  readonly dataDir: string;
  /** Default partitions of auto-created topics. */
  readonly partitions?: number;
  readonly cacheDir?: string;
  readonly heap?: string;
  readonly startTimeoutMs?: number;
}

export interface RunningKafka {
  /** host:port list for clients. */
  readonly brokers: string[];
  readonly port: number;
  readonly pid: number;
  readonly libDir: string;
  stop(): Promise<void>;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ port, host });
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
  });
}

function serverProperties(o: { port: number; controllerPort: number; logDir: string; partitions: number }): string {
  return [
    "# Written by lib/kafka-local: single-node KRaft, loopback only.",
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    `log.dirs=${o.logDir}`,
    `num.partitions=${o.partitions}`,
    // One broker: internal topics cannot have more replicas than that.
    "offsets.topic.replication.factor=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    // Tests and the local pipeline start consumers right away; no point waiting for more members.
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=true",
    "",
  ].join("\n");
}

/**
 * Starts (installing and formatting first if needed) a single-node broker. A data folder keeps
 * its ports in `ports.json` so that a restart over the same data reuses them (clients keep their
 * addresses), unless `port` is given.
 */
export async function startLocalKafka(opts: LocalKafkaOptions): Promise<RunningKafka> {
  const lib = installKafka({ version: opts.version, cacheDir: opts.cacheDir });
  const dataDir = resolve(REPO_ROOT, opts.dataDir);
  const logDir = join(dataDir, "logs");
  mkdirSync(dataDir, { recursive: true });
  const portsFile = join(dataDir, "ports.json");
  const saved = existsSync(portsFile) ? (JSON.parse(readFileSync(portsFile, "utf8")) as { port: number; controllerPort: number }) : undefined;
  const port = opts.port && opts.port > 0 ? opts.port : (saved?.port ?? (await freePort()));
  const controllerPort = saved?.controllerPort ?? (await freePort());
  await assertPortFree(port, "kafka");
  await assertPortFree(controllerPort, "kafka controller");
  writeFileSync(portsFile, JSON.stringify({ port, controllerPort }));
  const props = join(dataDir, "server.properties");
  writeFileSync(props, serverProperties({ port, controllerPort, logDir, partitions: opts.partitions ?? 6 }));
  const classpath = `${lib}/*`;
  if (!existsSync(join(logDir, "meta.properties"))) {
    const clusterId = newClusterId();
    const f = spawnSync("java", ["-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props], { encoding: "utf8" });
    if (f.status !== 0) throw new Error(`[kafka] formatting ${logDir} failed:\n${f.stdout}${f.stderr}`);
  }
  const java: JavaProcess = await startJava({
    name: "kafka",
    args: [`-Xms${opts.heap ?? "512m"}`, `-Xmx${opts.heap ?? "512m"}`, "-XX:+UseSerialGC", "-Djava.awt.headless=true", "-cp", classpath, "kafka.Kafka", props],
    ready: () => isListening(port),
    timeoutMs: opts.startTimeoutMs ?? 60_000,
  });
  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    pid: java.pid,
    libDir: lib,
    // A controlled shutdown flushes and closes the logs, so a restart over the data loses nothing.
    stop: () => java.stop(30_000),
  };
}

/** Deletes a data folder (only one under the repository's cache, as a guard). */
export function wipeKafkaData(dataDir: string): void {
  const abs = resolve(REPO_ROOT, dataDir);
  if (!abs.startsWith(resolve(REPO_ROOT, ".cache"))) throw new Error(`refusing to delete ${abs}: not under .cache/`);
  rmSync(abs, { recursive: true, force: true });
}

/**
 * Jest global-setup service: reuses a broker named by KAFKA_BROKERS when it answers, otherwise
 * starts one on a free port with a throwaway data folder. Publishes KAFKA_BROKERS.
 */
export const kafkaLocalService = {
  name: "kafka",
  async start(): Promise<{ name: string; stop(): Promise<void> }> {
    const given = process.env.KAFKA_BROKERS;
    if (given) {
      const [host, p] = given.split(",")[0].split(":");
      if (await isListening(Number(p), host)) return { name: "kafka (reused)", stop: async () => undefined };
    }
    const { loadConfig } = await import("../config");
    const dataDir = join(".cache", `test-kafka-${process.pid}`);
    const kafka = await startLocalKafka({ version: loadConfig({ env: {} }).versions.kafka, dataDir });
    process.env.KAFKA_BROKERS = kafka.brokers.join(",");
    process.env.KAFKA_DATA_DIR = dataDir;
    process.env.KAFKA_VERSION = loadConfig({ env: {} }).versions.kafka;
    return {
      name: "kafka",
      async stop() {
        await kafka.stop();
        wipeKafkaData(dataDir);
      },
    };
  },
};

/**
 * A random Kafka cluster id (16 bytes, base64url). One that starts with "-" would be read by
 * kafka-storage's argument parser as an option (1 start in 64 failed that way), so, as Kafka's own
 * Uuid.randomUuid does, draw again until it does not.
 */
export function newClusterId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
