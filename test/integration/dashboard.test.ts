/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) over a seeded
 * table in the local DynamoDB: counts, both charts with data, the anomaly table; and a screenshot
 * for the README (docs/dashboard.png).
 */
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startDashboard, type DashboardServer } from "../../dashboard/server";
import { dashboardData } from "../../dashboard/queries";
import { createLogTable, localDynamoDbClient } from "../../lib/dynamodb-local";
import { extractFeatures, featuresToCsvRow } from "../../lib/features";
import { itemKey, utcDay, type RejectedLog, type ScoredLog } from "../../lib/scored-log";
import { generateLogEvents } from "../../producer/generator";

jest.setTimeout(120_000);
const TABLE = "dashboard-test";
const THRESHOLD = 1.4;
let doc: DynamoDBDocumentClient;
let dashboard: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  const client = localDynamoDbClient(process.env.DYNAMODB_ENDPOINT!);
  await createLogTable(client, TABLE);
  doc = DynamoDBDocumentClient.from(client);
  const now = Date.now();
  const items: (ScoredLog | RejectedLog)[] = [...generateLogEvents({ seed: 3, count: 400, start: new Date(now - 400_000), eventsPerSecond: 1, anomalyRate: 0.05 })].map(({ event, anomaly }, i) => {
    const score = anomaly ? 2 + (i % 7) / 10 : 0.8 + (i % 5) / 20;
    const isAnomaly = score > THRESHOLD;
    return {
      ...itemKey("app-logs", i % 3, i),
      topic: "app-logs",
      partition: i % 3,
      offset: String(i),
      kafkaTimestamp: now,
      headers: (anomaly ? { "anomaly-kind": anomaly } : {}) as Record<string, string>,
      expiresAt: Math.floor(now / 1000) + 86400,
      status: "scored",
      event,
      eventTime: event.timestamp,
      service: event.service,
      endpoint: event.endpoint,
      featuresCsv: featuresToCsvRow(extractFeatures(event)),
      score,
      threshold: THRESHOLD,
      anomaly: isAnomaly,
      ...(isAnomaly ? { anomalyDay: utcDay(event.timestamp) } : {}),
      scoredAt: new Date(now).toISOString(),
    };
  });
  items.push({ ...itemKey("app-logs", 0, 999), topic: "app-logs", partition: 0, offset: "999", kafkaTimestamp: now, headers: {}, expiresAt: 0, status: "rejected", reason: "not-json", detail: "x", rawBase64: "eA==", rawBytes: 1, rejectedAt: new Date(now).toISOString() });
  for (let i = 0; i < items.length; i += 25) await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  dashboard = await startDashboard({ doc, table: TABLE });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // playwright gives each launch a fresh temporary profile; the flags keep Chromium off the network.
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
});

it("the queries count processed, anomalies and rejected, and list anomalies newest first", async () => {
  const d = await dashboardData(doc, TABLE);
  expect(d.summary.processed).toBe(401);
  expect(d.summary.rejected).toBe(1);
  expect(d.summary.anomalies).toBeGreaterThan(5);
  expect(d.anomalies.length).toBe(Math.min(50, d.summary.anomalies));
  expect(d.anomalies.map((a) => a.eventTime)).toEqual([...d.anomalies.map((a) => a.eventTime)].sort().reverse());
  expect(d.rates.reduce((n, r) => n + r.total, 0)).toBe(400);
});

it("renders both charts with data and the anomaly table in Chromium", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(dashboard.url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  const charts = await page.evaluate(() => {
    const Chart = (window as any).Chart;
    return ["scores", "rates"].map((id) => {
      const c = Chart.getChart(document.getElementById(id));
      return { points: c.data.datasets[0].data.length, width: c.width };
    });
  });
  expect(charts[0].points).toBe(400);
  expect(charts[1].points).toBeGreaterThan(3);
  for (const c of charts) expect(c.width).toBeGreaterThan(100);
  expect(await page.textContent("#processed")).toBe("401");
  expect(await page.textContent("#rejected")).toBe("1");
  const rows = await page.locator("#anomaly-table tbody tr").count();
  expect(rows).toBeGreaterThan(5);
  // The README's picture is refreshed on request (UPDATE_SCREENSHOT=1), so test runs leave the tree clean.
  const shot = process.env.UPDATE_SCREENSHOT ? join(__dirname, "..", "..", "docs", "dashboard.png") : join(__dirname, "..", "..", ".cache", "dashboard.png");
  const png = await page.screenshot({ path: shot, fullPage: true });
  expect(png.subarray(1, 4).toString()).toBe("PNG");
  await page.close();
});
