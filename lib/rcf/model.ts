/**
 * SageMaker batch mode: a forest fitted once on a training set (λ = 0, each tree's sample drawn
 * uniformly from it), scored without ever changing. The model file keeps, per tree, the sampled
 * points in insertion order plus the seed; loading rebuilds every tree with the same random
 * cuts, so a loaded model scores exactly as the one that was saved. It also records the score
 * statistics over the training sample, from which the anomaly threshold is derived.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Random } from "./random";
import { packPoints, treeSeed } from "./forest";
import { RandomCutTree } from "./tree";

export const MODEL_FORMAT = "logpipe-rcf-batch/1";

export interface ScoreStats {
  readonly mean: number;
  readonly std: number;
  readonly count: number;
}

/** What the model server needs from a model. */
export interface ScoringModel {
  readonly featureDim: number;
  score(points: number[][]): number[];
}

export interface BatchOptions {
  readonly numTrees?: number;
  readonly sampleSize?: number;
  readonly seed?: number;
  /** Feature names, recorded in the file for humans and checked by nothing. */
  readonly featureNames?: readonly string[];
  /** How many training points to score for the statistics (a uniform subsample). @default 5000 */
  readonly statsSample?: number;
}

interface ModelFile {
  format: string;
  dimensions: number;
  numTrees: number;
  sampleSize: number;
  seed: number;
  featureNames?: string[];
  stats: ScoreStats;
  /** Per tree: base64 of the float32 sample points, in insertion order. */
  trees: string[];
}

export class BatchRcfModel implements ScoringModel {
  private readonly trees: RandomCutTree[];

  private constructor(
    readonly featureDim: number,
    readonly numTrees: number,
    readonly sampleSize: number,
    readonly seed: number,
    readonly samples: Float32Array[],
    public stats: ScoreStats,
    readonly featureNames: readonly string[] | undefined,
  ) {
    this.trees = samples.map((pts, i) => {
      const tree = new RandomCutTree(featureDim, sampleSize, new Random(treeSeed(seed, i, 1)));
      for (let off = 0; off < pts.length; off += featureDim) tree.insert(pts, off);
      return tree;
    });
  }

  /** Fits on the training rows (each of `featureDim` values). */
  static train(rows: readonly (readonly number[])[], o: BatchOptions = {}): BatchRcfModel {
    if (rows.length === 0) throw new RangeError("cannot train on an empty training set");
    const dim = rows[0].length;
    rows.forEach((r, i) => {
      if (r.length !== dim) throw new RangeError(`row ${i} has ${r.length} values, expected ${dim}`);
      if (!r.every(Number.isFinite)) throw new RangeError(`row ${i} has a value that is not a finite number`);
    });
    const numTrees = o.numTrees ?? 100;
    const sampleSize = o.sampleSize ?? 256;
    const seed = o.seed ?? 42;
    const k = Math.min(sampleSize, rows.length);
    const samples: Float32Array[] = [];
    for (let t = 0; t < numTrees; t++) {
      // Reservoir sampling (algorithm R) of k row indices.
      const rng = new Random(treeSeed(seed, t, 2));
      const idx = new Int32Array(k);
      for (let i = 0; i < rows.length; i++) {
        if (i < k) idx[i] = i;
        else {
          const j = rng.nextInt(i + 1);
          if (j < k) idx[j] = i;
        }
      }
      const pts = new Float32Array(k * dim);
      for (let i = 0; i < k; i++) pts.set(rows[idx[i]], i * dim);
      samples.push(pts);
    }
    const model = new BatchRcfModel(dim, numTrees, sampleSize, seed, samples, { mean: 0, std: 0, count: 0 }, o.featureNames);
    // Statistics over a uniform subsample of the training set.
    const n = Math.min(o.statsSample ?? 5000, rows.length);
    const step = rows.length / n;
    const scores = model.score(Array.from({ length: n }, (_, i) => rows[Math.floor(i * step)] as number[]));
    model.stats = scoreStats(scores);
    return model;
  }

  scoreOne(p: readonly number[]): number {
    return this.score([p])[0];
  }

  /**
   * Scores many points tree by tree (one tree's nodes stay in cache for the whole batch instead
   * of the whole forest passing through it for every point); sums run over the trees in the same
   * order for every point, so a point scores the same alone or in any batch.
   */
  score(points: readonly (readonly number[])[]): number[] {
    const dim = this.featureDim;
    const n = points.length;
    const flat = packPoints(points, dim, "features", "row");
    const sums = new Float64Array(n);
    for (const t of this.trees) for (let j = 0; j < n; j++) sums[j] += t.score(flat, j * dim);
    return Array.from(sums, (s) => s / this.trees.length);
  }

  toJSON(): ModelFile {
    return {
      format: MODEL_FORMAT,
      dimensions: this.featureDim,
      numTrees: this.numTrees,
      sampleSize: this.sampleSize,
      seed: this.seed,
      featureNames: this.featureNames ? [...this.featureNames] : undefined,
      stats: this.stats,
      trees: this.samples.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString("base64")),
    };
  }

  static fromJSON(f: ModelFile): BatchRcfModel {
    if (f.format !== MODEL_FORMAT) throw new Error(`not a model file of format ${MODEL_FORMAT} (got ${String(f.format)})`);
    const samples = f.trees.map((b64) => {
      const buf = Buffer.from(b64, "base64");
      return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    });
    return new BatchRcfModel(f.dimensions, f.numTrees, f.sampleSize, f.seed, samples, f.stats, f.featureNames);
  }

  save(path: string): void {
    writeFileSync(path, JSON.stringify(this.toJSON()));
  }
}

/** Loads a model file written by `BatchRcfModel.save` (scripts/train-rcf.ts --local). */
export function loadModel(path: string): BatchRcfModel {
  let parsed: ModelFile;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as ModelFile;
  } catch (e) {
    throw new Error(`cannot read model file ${path}: ${(e as Error).message}`);
  }
  return BatchRcfModel.fromJSON(parsed);
}

export function scoreStats(scores: readonly number[]): ScoreStats {
  const n = scores.length;
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), count: n };
}

/** The anomaly threshold AWS suggests for RCF: mean + k standard deviations of training scores. */
export function thresholdFromStats(stats: ScoreStats, sigmas: number): number {
  if (!(stats.count > 1) || !Number.isFinite(stats.mean) || !Number.isFinite(stats.std)) throw new Error("score statistics are missing or empty");
  return stats.mean + sigmas * stats.std;
}
