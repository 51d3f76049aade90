/**
 * The local dashboard: a static page (Chart.js, served from node_modules) and one JSON API,
 * GET /api/data, backed by dashboard/queries.ts. The page refreshes it every few seconds.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { dashboardData } from "./queries";

export interface DashboardServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startDashboard(o: { doc: DynamoDBDocumentClient; table: string; port?: number; host?: string }): Promise<DashboardServer> {
  const page = readFileSync(join(__dirname, "index.html"));
  const chartJs = readFileSync(join(__dirname, "..", "node_modules", "chart.js", "dist", "chart.umd.min.js"));
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (url === "/") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(page);
    } else if (url === "/chart.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" }).end(chartJs);
    } else if (url === "/api/data") {
      dashboardData(o.doc, o.table)
        .then((d) => res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" }).end(JSON.stringify(d)))
        .catch((e: Error) => res.writeHead(502, { "Content-Type": "application/json" }).end(JSON.stringify({ error: e.message })));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => reject(e.code === "EADDRINUSE" ? new Error(`dashboard: port ${o.port} on 127.0.0.1 is already in use (local.dashboardPort)`) : e));
    server.listen(o.port ?? 0, o.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://${o.host ?? "127.0.0.1"}:${port}/`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
