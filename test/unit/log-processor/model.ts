/**
 * The model the log-processor integration tests and bench score against: the project's RCF in
 * SageMaker batch mode, trained on generated normal traffic with the shared feature module, with
 * its threshold = mean + 3 σ of the training scores (what the training script records).
 */
import { extractFeatures } from "../../../lib/features";
import { BatchRcfModel, thresholdFromStats } from "../../../lib/rcf/model";
import { logEvent } from "./fixtures";
import type { TestScoringModel } from "./harness";

export function trainingPoints(n = 2000): number[][] {
  return Array.from({ length: n }, (_, i) => extractFeatures(logEvent(i)));
}

/** The real RCF in SageMaker batch mode (what the training script's --local writes). */
export function trainTestModel(): { model: TestScoringModel; threshold: number } {
  const model = BatchRcfModel.train(trainingPoints(), { numTrees: 100, sampleSize: 256, seed: 1 });
  return { model, threshold: thresholdFromStats(model.stats, 3) };
}
