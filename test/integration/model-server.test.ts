/**
 * The local model server through the real AWS SDK client, pointed at it with `endpoint:`.
 */
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient, ValidationError } from "@aws-sdk/client-sagemaker-runtime";
import { BatchRcfModel } from "../../lib/rcf/model";
import { Random } from "../../lib/rcf/random";
import { startModelServer, type RunningModelServer } from "../../lib/model-server/server";
import { startModelServerThread } from "../../lib/model-server/thread";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const rng = new Random(21);
const model = BatchRcfModel.train(
  Array.from({ length: 2000 }, () => [rng.nextDouble(), rng.nextDouble(), rng.nextDouble()]),
  { numTrees: 30, sampleSize: 64, seed: 1 },
);
let server: RunningModelServer;
let client: SageMakerRuntimeClient;

beforeAll(async () => {
  server = await startModelServer({ port: 0, endpoints: { "rcf-test": model } });
  client = new SageMakerRuntimeClient({ endpoint: server.url, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

const decode = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString("utf8");

describe("model server via SageMakerRuntimeClient", () => {
  it("scores CSV rows in order, as the model does", async () => {
    const rows = [[0.5, 0.5, 0.5], [9, 9, 9], [0.1, 0.2, 0.3]];
    const out = await client.send(new InvokeEndpointCommand({ EndpointName: "rcf-test", ContentType: "text/csv", Body: rows.map((r) => r.join(",")).join("\n") }));
    expect(out.ContentType).toBe("application/json");
    const scores = JSON.parse(decode(out.Body)).scores.map((s: { score: number }) => s.score);
    expect(scores).toEqual(model.score(rows));
    expect(scores[1]).toBeGreaterThan(scores[0]);
    expect(out.InvokedProductionVariant).toBe("AllTraffic");
  });

  it("accepts application/json instances and answers JSON lines when asked", async () => {
    const body = JSON.stringify({ instances: [{ features: [0.5, 0.5, 0.5] }, { features: [3, 3, 3] }] });
    const out = await client.send(new InvokeEndpointCommand({ EndpointName: "rcf-test", ContentType: "application/json", Accept: "application/jsonlines", Body: body }));
    const lines = decode(out.Body).split("\n").map((l) => JSON.parse(l).score);
    expect(lines).toEqual(model.score([[0.5, 0.5, 0.5], [3, 3, 3]]));
    const jl = await client.send(new InvokeEndpointCommand({ EndpointName: "rcf-test", ContentType: "application/jsonlines", Body: '{"features":[1,1,1]}\n{"features":[0,0,0]}' }));
    expect(JSON.parse(decode(jl.Body)).scores).toHaveLength(2);
  });

  it("answers a wrong content type with SageMaker's ModelError (original status 415)", async () => {
    const err = await client.send(new InvokeEndpointCommand({ EndpointName: "rcf-test", ContentType: "text/plain", Body: "1,2,3" })).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.OriginalStatusCode).toBe(415);
    expect(err.$metadata.httpStatusCode).toBe(424);
  });

  it("answers a wrong feature count with ModelError (original status 400) naming feature_dim", async () => {
    const err = await client.send(new InvokeEndpointCommand({ EndpointName: "rcf-test", ContentType: "text/csv", Body: "1,2" })).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.OriginalStatusCode).toBe(400);
    expect(err.OriginalMessage).toMatch(/feature_dim=3/);
  });

  it("answers an unknown endpoint with ValidationError", async () => {
    const err = await client.send(new InvokeEndpointCommand({ EndpointName: "nope", ContentType: "text/csv", Body: "1,2,3" })).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/Endpoint nope .* not found/);
  });
});

describe("model server on a worker thread (the local pipeline's)", () => {
  it("loads the model file and scores as the model does; closing frees the port", async () => {
    const dir = mkdtempSync(join(tmpdir(), "model-thread-"));
    const file = join(dir, "model.json");
    model.save(file);
    const threaded = await startModelServerThread({ port: 0, models: { "rcf-thread": file } });
    const c = new SageMakerRuntimeClient({ endpoint: threaded.url, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
    try {
      const rows = [[0.5, 0.5, 0.5], [9, 9, 9]];
      const out = await c.send(new InvokeEndpointCommand({ EndpointName: "rcf-thread", ContentType: "text/csv", Body: rows.map((r) => r.join(",")).join("\n") }));
      expect(JSON.parse(decode(out.Body)).scores.map((s: { score: number }) => s.score)).toEqual(model.score(rows));
    } finally {
      c.destroy();
      await threaded.close();
    }
    const refused = await fetch(`${threaded.url}/ping`).then(
      () => undefined,
      (e: { cause?: { code?: string } }) => e.cause?.code,
    );
    expect(refused).toBe("ECONNREFUSED");
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails to start with the loader's message when a model file is missing", async () => {
    await expect(startModelServerThread({ port: 0, models: { x: "/nonexistent/model.json" } })).rejects.toThrow(/cannot read model file \/nonexistent\/model.json/);
  });
});
