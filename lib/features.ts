/**
 * The feature vector of a log event: the one definition that both the training script and the
 * Lambda handler use, so a model is always scored on what it was trained on.
 *
 * RCF picks a cut dimension with probability proportional to that dimension's range, so every
 * feature is put on a comparable scale (roughly 0..10); a dimension with a huge range would
 * otherwise get nearly every cut.
 */
import type { LogEvent, LogLevel } from "./log-event";

export const FEATURE_NAMES = [
  "latency_log", // ln(1 + latency ms): spikes stand out, heavy tails stay bounded
  "bytes_log", // ln(1 + response bytes): odd payload sizes
  "status_5xx", // 0/1 server error
  "status_4xx", // 0/1 client error
  "level", // DEBUG 0, INFO 1, WARN 2, ERROR 3
  "hour_sin", // time of day on the unit circle, so 23:59 and 00:00 are close
  "hour_cos",
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export const FEATURE_DIM = FEATURE_NAMES.length;

const LEVEL_VALUE: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
/** Weight of the 0/1 and time features, so their range is comparable with the log-scaled ones. */
const FLAG_SCALE = 3;
const TIME_SCALE = 1;

/** Feature vector of one event, in FEATURE_NAMES order. All values are finite for a valid event. */
export function extractFeatures(e: LogEvent): number[] {
  const t = new Date(e.timestamp);
  const dayFraction = (t.getUTCHours() * 3600 + t.getUTCMinutes() * 60 + t.getUTCSeconds()) / 86400;
  const angle = 2 * Math.PI * dayFraction;
  return [
    Math.log1p(e.latencyMs),
    Math.log1p(e.bytes),
    e.status >= 500 ? FLAG_SCALE : 0,
    e.status >= 400 && e.status < 500 ? FLAG_SCALE : 0,
    LEVEL_VALUE[e.level],
    TIME_SCALE * Math.sin(angle),
    TIME_SCALE * Math.cos(angle),
  ];
}

/** True when every value is a finite number (the handler dead-letters anything else). */
export function featuresAreFinite(v: readonly number[]): boolean {
  return v.length === FEATURE_DIM && v.every((x) => Number.isFinite(x));
}

/** One CSV row as SageMaker's RCF expects (no header, no label column). */
export function featuresToCsvRow(v: readonly number[]): string {
  return v.map((x) => (Number.isInteger(x) ? String(x) : x.toPrecision(9))).join(",");
}
