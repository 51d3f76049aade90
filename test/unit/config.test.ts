import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, kafkaBootstrapServers, kafkaBrokerNames, loadConfig, namePrefix } from "../../lib/config";

describe("loadConfig", () => {
  it("loads the dev profile by default and freezes it", () => {
    const c = loadConfig({ env: {} });
    expect(c.profile).toBe("dev");
    expect(c.network.natMode).toBe("single");
    expect(Object.isFrozen(c.kafka)).toBe(true);
    expect(namePrefix(c)).toBe("logpipe-dev");
  });

  it("prod differs where it matters for availability", () => {
    const c = loadConfig({ env: { PIPELINE_PROFILE: "prod" } });
    expect(c.network).toMatchObject({ azCount: 3, natMode: "per-az" });
    expect(c.kafka.brokers).toBe(3);
    expect(c.lambda.provisionedPollers.min).toBeGreaterThan(0);
  });

  it("derives Kafka names from one place", () => {
    const c = loadConfig({ env: {}, overrides: { kafka: { brokers: 2, replicationFactor: 2 } } });
    expect(kafkaBrokerNames(c)).toEqual(["broker-0.kafka.logpipe.internal", "broker-1.kafka.logpipe.internal"]);
    expect(kafkaBootstrapServers(c)).toEqual(["bootstrap.kafka.logpipe.internal:9094"]);
  });

  it.each([
    [{ network: { natMode: "none" } }, "network.natMode", "allowed: single, per-az"],
    [{ network: { azCount: 4 } }, "network.azCount", "from 2 to 3"],
    [{ storage: { billingMode: "ON_DEMAND" } }, "storage.billingMode", "PAY_PER_REQUEST, PROVISIONED"],
    [{ lambda: { batchSize: 0 } }, "lambda.batchSize", "from 1 to 10000"],
    [{ versions: { kafka: "latest" } }, "versions.kafka", "pinned version"],
    [{ kafka: { replicationFactor: 3 } }, "kafka.replicationFactor", "from 1 to 1"],
    [{ kafka: { toppic: "x" } }, "kafka.toppic", "unknown field"],
    [{ eks: { nodeInstanceTypes: "m6i.large" } }, "eks.nodeInstanceTypes", "must be an array"],
    [{ region: "Europe" }, "region", "AWS region"],
  ])("rejects %j naming the field and what is allowed", (overrides, field, allowed) => {
    let err: unknown;
    try {
      loadConfig({ env: {}, overrides: overrides as Record<string, unknown> });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe(field);
    expect((err as Error).message).toContain(field);
    expect((err as Error).message).toContain(allowed);
  });

  it("rejects an unknown profile", () => {
    expect(() => loadConfig({ env: { PIPELINE_PROFILE: "qa" } })).toThrow(/profile.*allowed: dev, prod/);
  });

  it("reads overrides from the PIPELINE_CONFIG file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ environment: "staging", kafka: { topic: "t1" } }));
    const c = loadConfig({ env: { PIPELINE_CONFIG: file } });
    expect(c.environment).toBe("staging");
    expect(c.kafka.topic).toBe("t1");
    expect(c.kafka.consumerGroupId).toBe("log-processor");
  });
});
