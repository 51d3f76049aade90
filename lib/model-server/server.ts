/**
 * A local stand-in for SageMaker real-time endpoints serving the built-in RCF: the same path,
 * content types, answer shapes and error shapes, so `SageMakerRuntimeClient` pointed at it with
 * `endpoint:` works unchanged.
 *
 *   POST /endpoints/{name}/invocations
 *   Content-Type: text/csv                 rows of features, no header
 *                 application/json         {"instances":[{"features":[...]}, ...]}
 *                 application/jsonlines    one {"features":[...]} per line
 *   Accept:       application/json (default) → {"scores":[{"score":x}, ...]}
 *                 application/jsonlines      → one {"score":x} per line
 * Errors, as the runtime reports them:
 *   unknown endpoint          400 ValidationError {"message":"Endpoint … not found."}
 *   model rejects the input   424 ModelError {"ErrorCode":"CLIENT_ERROR_FROM_MODEL","OriginalStatusCode":415|400,…}
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ScoringModel } from "../rcf/model";

export type { ScoringModel } from "../rcf/model";
export { loadModel, thresholdFromStats } from "../rcf/model";

export interface ModelServerOptions {
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly endpoints: Record<string, ScoringModel>;
  /** Largest request body accepted, bytes (SageMaker's real-time limit is 6 MB). */
  readonly maxBodyBytes?: number;
}

export interface RunningModelServer {
  readonly url: string;
  readonly port: number;
  /** Requests answered so far, per endpoint (tests and benchmarks read it). */
  readonly invocations: Record<string, number>;
  close(): Promise<void>;
}

const SIX_MB = 6 * 1024 * 1024;

class ModelInputError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseBody(contentType: string, body: string, dim: number): number[][] {
  const type = contentType.split(";")[0].trim().toLowerCase();
  let rows: unknown[];
  if (type === "text/csv") {
    rows = body
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "")
      .map((l) => l.split(",").map((x) => (x.trim() === "" ? NaN : Number(x))));
  } else if (type === "application/json") {
    let parsed: any;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ModelInputError(400, "Unable to parse the JSON request body.");
    }
    if (!parsed || !Array.isArray(parsed.instances)) throw new ModelInputError(400, 'JSON input must be {"instances":[{"features":[...]}, ...]}.');
    rows = parsed.instances.map((i: any) => i?.features ?? i?.data?.features?.values);
  } else if (type === "application/jsonlines") {
    rows = body
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "")
      .map((l) => {
        try {
          return JSON.parse(l)?.features;
        } catch {
          throw new ModelInputError(400, "Unable to parse a JSON line of the request body.");
        }
      });
  } else {
    throw new ModelInputError(415, `Content type ${contentType || "(none)"} is not supported by this algorithm. Supported: text/csv, application/json, application/jsonlines.`);
  }
  return rows.map((r, i) => {
    if (!Array.isArray(r)) throw new ModelInputError(400, `Record ${i} has no features array.`);
    if (r.length !== dim) throw new ModelInputError(400, `Record ${i} has ${r.length} features; the model expects feature_dim=${dim}.`);
    if (!r.every((x) => typeof x === "number" && Number.isFinite(x))) throw new ModelInputError(400, `Record ${i} has a value that is not a finite number.`);
    return r as number[];
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

function modelError(res: ServerResponse, endpoint: string, status: number, message: string): void {
  send(
    res,
    424,
    { "Content-Type": "application/json", "x-amzn-ErrorType": "ModelError:http://internal.amazon.com/coral/com.amazon.sagemaker/" },
    JSON.stringify({
      ErrorCode: status >= 500 ? "SERVER_ERROR_FROM_MODEL" : "CLIENT_ERROR_FROM_MODEL",
      LogStreamArn: `arn:aws:logs:local:000000000000:log-group:/aws/sagemaker/Endpoints/${endpoint}`,
      Message: `Received ${status >= 500 ? "server" : "client"} error (${status}) from primary with message "${message}". See the logs for more information.`,
      OriginalMessage: message,
      OriginalStatusCode: status,
    }),
  );
}

export async function startModelServer(opts: ModelServerOptions): Promise<RunningModelServer> {
  const maxBody = opts.maxBodyBytes ?? SIX_MB;
  const invocations: Record<string, number> = {};
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/endpoints\/([^/]+)\/invocations$/.exec((req.url ?? "").split("?")[0]);
    if (req.method === "GET" && req.url === "/ping") return send(res, 200, {}, "");
    if (!m || req.method !== "POST") return send(res, 404, { "Content-Type": "application/json" }, JSON.stringify({ message: "Not found" }));
    const name = decodeURIComponent(m[1]);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
    });
    req.on("end", () => {
      const model = opts.endpoints[name];
      if (!model) {
        return send(
          res,
          400,
          { "Content-Type": "application/json", "x-amzn-ErrorType": "ValidationError:http://internal.amazon.com/coral/com.amazon.coral.validate/" },
          JSON.stringify({ message: `Endpoint ${name} of account 000000000000 not found.` }),
        );
      }
      if (size > maxBody) {
        return send(
          res,
          413,
          { "Content-Type": "application/json", "x-amzn-ErrorType": "ValidationError:http://internal.amazon.com/coral/com.amazon.coral.validate/" },
          JSON.stringify({ message: `Request body of ${size} bytes is over the ${maxBody}-byte limit.` }),
        );
      }
      try {
        const rows = parseBody(String(req.headers["content-type"] ?? ""), Buffer.concat(chunks).toString("utf8"), model.featureDim);
        const scores = model.score(rows);
        invocations[name] = (invocations[name] ?? 0) + 1;
        const accept = String(req.headers.accept ?? "application/json").toLowerCase();
        const common = { "x-Amzn-Invoked-Production-Variant": "AllTraffic" };
        if (accept.includes("application/jsonlines")) {
          send(res, 200, { ...common, "Content-Type": "application/jsonlines" }, scores.map((s) => JSON.stringify({ score: s })).join("\n"));
        } else {
          send(res, 200, { ...common, "Content-Type": "application/json" }, JSON.stringify({ scores: scores.map((s) => ({ score: s })) }));
        }
      } catch (e) {
        if (e instanceof ModelInputError) modelError(res, name, e.status, e.message);
        else modelError(res, name, 500, (e as Error).message);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? new Error(`model server: port ${opts.port} on ${opts.host ?? "127.0.0.1"} is already in use`) : e),
    );
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    invocations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
