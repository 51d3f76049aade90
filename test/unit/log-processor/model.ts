/**
 * The model the log-processor integration tests and bench score against, trained on generated
 * normal traffic with the shared feature module, with its threshold = mean + 3 σ of the training
 * scores (what the training script records).
 */
import { extractFeatures, FEATURE_DIM } from "../../../lib/features";
import { logEvent } from "./fixtures";
import type { TestScoringModel } from "./harness";

export function trainingPoints(n = 2000): number[][] {
  return Array.from({ length: n }, (_, i) => extractFeatures(logEvent(i)));
}

function stats(xs: number[]): { mean: number; stddev: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, stddev: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

// PLACEHOLDER until lib/rcf lands: standardized distance from the training mean.
function distanceModel(points: number[][]): TestScoringModel {
  const cols = Array.from({ length: FEATURE_DIM }, (_, d) => stats(points.map((p) => p[d])));
  return {
    featureDim: FEATURE_DIM,
    score: (ps) => ps.map((p) => Math.sqrt(p.reduce((a, x, d) => a + ((x - cols[d].mean) / (cols[d].stddev || 1)) ** 2, 0))),
  };
}

export function trainTestModel(): { model: TestScoringModel; threshold: number } {
  const points = trainingPoints();
  const model = distanceModel(points);
  const s = stats(model.score(points));
  return { model, threshold: s.mean + 3 * s.stddev };
}
