/**
 * Integration/bench harness for the log processor: the local DynamoDB (dynalite, from the Jest global
 * setup or started here), the real RCF model server, and two fault injectors that wrap — never
 * replace — the real services: an HTTP proxy that answers 429/500 for the first k calls, and a
 * DynamoDB document client that withholds items as UnprocessedItems.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, type BatchWriteCommandOutput } from "@aws-sdk/lib-dynamodb";
import type { StoredLog } from "../../../lib/scored-log";

/** Proxy in front of a SageMaker-runtime-compatible server that fails the first `failFirst` invocations. */
export interface FaultProxy {
  readonly url: string;
  /** Invocations seen (failed + forwarded). */
  readonly calls: () => number;
  readonly failed: () => number;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string, failFirst: number, statuses: readonly number[] = [429, 500]): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let calls = 0;
  let failed = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      calls++;
      if (failed < failFirst) {
        const status = statuses[failed % statuses.length];
        failed++;
        res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "x-amzn-errortype": "ThrottlingException" } : {}) });
        res.end(JSON.stringify({ message: `injected ${status}` }));
        return;
      }
      const fwd = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      fwd.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      fwd.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    failed: () => failed,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

type Send = (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;

/**
 * Wraps the real document client: for the first `times` BatchWriteItem calls it writes only every
 * `keepEvery`-th item to the real table and hands the rest back as UnprocessedItems, as DynamoDB
 * does under throttling. Everything else passes through untouched.
 */
export class WithholdingDocumentClient {
  withheld = 0;
  batchCalls = 0;
  constructor(
    private readonly real: DynamoDBDocumentClient,
    private times: number,
    private readonly keepEvery = 3,
  ) {}

  /** This wrapper typed as the client the handler expects. */
  asClient(): DynamoDBDocumentClient {
    return this as unknown as DynamoDBDocumentClient;
  }

  async send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> {
    if (command instanceof BatchWriteCommand && this.times > 0) {
      this.times--;
      this.batchCalls++;
      const [table, reqs] = Object.entries(command.input.RequestItems ?? {})[0];
      const keep = reqs.filter((_, i) => i % this.keepEvery === 0);
      const hold = reqs.filter((_, i) => i % this.keepEvery !== 0);
      this.withheld += hold.length;
      if (keep.length > 0) await this.real.send(new BatchWriteCommand({ RequestItems: { [table]: keep } }), options);
      const out: BatchWriteCommandOutput = { $metadata: {}, UnprocessedItems: hold.length > 0 ? { [table]: hold } : {} };
      return out;
    }
    if (command instanceof BatchWriteCommand) this.batchCalls++;
    return (this.real.send.bind(this.real) as Send)(command, options);
  }
}

/** Every item of one topic partition, in offset order. */
export async function partitionItems(doc: DynamoDBDocumentClient, table: string, topic: string, partition: number): Promise<StoredLog[]> {
  const out: StoredLog[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": `${topic}#${partition}` }, ExclusiveStartKey: start }),
    );
    out.push(...((r.Items ?? []) as StoredLog[]));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The model contract of the local model server (lib/model-server). */
export interface TestScoringModel {
  readonly featureDim: number;
  score(points: number[][]): number[];
}
