/**
 * The dashboard's queries over the scored-log table — the one definition of what the views show.
 * The QuickSight data set (constructs/dashboard.ts) selects the same columns and the same
 * aggregations, so the local dashboard and QuickSight agree.
 */
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { LOG_TABLE, utcDay } from "../lib/scored-log";

/** Columns of the data set (local API and QuickSight), from ScoredLog / RejectedLog items. */
export const DATASET_COLUMNS = ["eventTime", "service", "endpoint", "score", "threshold", "anomaly", "status", "topic", "partition", "offset"] as const;

export interface Summary {
  processed: number;
  scored: number;
  anomalies: number;
  rejected: number;
  threshold: number | null;
}
export interface ScorePoint {
  t: string;
  score: number;
  anomaly: boolean;
}
export interface RateRow {
  service: string;
  endpoint: string;
  total: number;
  anomalies: number;
  rate: number;
}
export interface AnomalyRow {
  eventTime: string;
  service: string;
  endpoint: string;
  status: number;
  latencyMs: number;
  bytes: number;
  level: string;
  message: string;
  score: number;
  topic: string;
  partition: number;
  offset: string;
  kind?: string;
}
export interface DashboardData {
  summary: Summary;
  scores: ScorePoint[];
  rates: RateRow[];
  anomalies: AnomalyRow[];
}

async function scanItems(doc: DynamoDBDocumentClient, table: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: start,
        ProjectionExpression: "eventTime, service, endpoint, score, threshold, anomaly, #s",
        ExpressionAttributeNames: { "#s": "status" },
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Latest anomalies from the sparse index: today's partition (and yesterday's), newest first. */
export async function latestAnomalies(doc: DynamoDBDocumentClient, table: string, now: Date, limit = 50): Promise<AnomalyRow[]> {
  const rows: AnomalyRow[] = [];
  for (const day of [utcDay(now.toISOString()), utcDay(new Date(now.getTime() - 86_400_000).toISOString())]) {
    if (rows.length >= limit) break;
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: LOG_TABLE.anomalyIndex.name,
        KeyConditionExpression: "#d = :day",
        ExpressionAttributeNames: { "#d": LOG_TABLE.anomalyIndex.partitionKey.name },
        ExpressionAttributeValues: { ":day": day },
        ScanIndexForward: false,
        Limit: limit - rows.length,
      }),
    );
    for (const i of page.Items ?? []) {
      rows.push({
        eventTime: i.eventTime,
        service: i.service,
        endpoint: i.endpoint,
        status: i.event?.status,
        latencyMs: i.event?.latencyMs,
        bytes: i.event?.bytes,
        level: i.event?.level,
        message: i.event?.message,
        score: i.score,
        topic: i.topic,
        partition: i.partition,
        offset: i.offset,
        kind: i.headers?.["anomaly-kind"],
      });
    }
  }
  return rows;
}

/** Everything the page shows. `points` bounds the score series (the most recent by event time). */
export async function dashboardData(doc: DynamoDBDocumentClient, table: string, now = new Date(), points = 2000): Promise<DashboardData> {
  const items = await scanItems(doc, table);
  const scored = items.filter((i) => i.status === "scored");
  const summary: Summary = {
    processed: items.length,
    scored: scored.length,
    anomalies: scored.filter((i) => i.anomaly).length,
    rejected: items.length - scored.length,
    threshold: scored.length > 0 ? Number(scored[scored.length - 1].threshold) : null,
  };
  const scores = scored
    .sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0))
    .slice(-points)
    .map((i) => ({ t: i.eventTime, score: i.score, anomaly: Boolean(i.anomaly) }));
  const groups = new Map<string, RateRow>();
  for (const i of scored) {
    const k = `${i.service} ${i.endpoint}`;
    const g = groups.get(k) ?? { service: i.service, endpoint: i.endpoint, total: 0, anomalies: 0, rate: 0 };
    g.total++;
    if (i.anomaly) g.anomalies++;
    groups.set(k, g);
  }
  const rates = [...groups.values()].map((g) => ({ ...g, rate: g.anomalies / g.total })).sort((a, b) => b.rate - a.rate);
  return { summary, scores, rates, anomalies: await latestAnomalies(doc, table, now) };
}
