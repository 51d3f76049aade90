import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RandomCutForest, Shingle, WeightedSampler } from "../../../lib/rcf/forest";
import { BatchRcfModel, loadModel, scoreStats, thresholdFromStats } from "../../../lib/rcf/model";
import { Random } from "../../../lib/rcf/random";
import { RandomCutTree } from "../../../lib/rcf/tree";

const log2 = Math.log2;

describe("RandomCutTree on hand-built inputs", () => {
  it("a single point: depth 0, damped score for itself, 1/(0+1) for another", () => {
    const t = new RandomCutTree(2, 8, new Random(1));
    t.insert([1, 1]);
    // Seen: (1 − 1/2)/(0 + log2 2) = 0.5, times log2(M+1) = 1.
    expect(t.score([1, 1])).toBeCloseTo(0.5 * log2(2), 12);
    // Unseen leaf at depth 0: 1/(0+1) = 1, times log2(2) = 1 (no ancestors to mix in).
    expect(t.score([5, 5])).toBeCloseTo(1, 12);
  });

  it("two points: the mix on the way up uses the separation probability", () => {
    const t = new RandomCutTree(1, 8, new Random(3));
    t.insert([0]);
    t.insert([10]);
    // q = 20 goes right to the leaf 10 at depth 1: leaf score 1/2; root box [0,10], merged [0,20]:
    // p = (20 − 10)/20 = 0.5 → 0.5·1/(0+1) + 0.5·0.5 = 0.75; × log2(3).
    expect(t.score([20])).toBeCloseTo(0.75 * log2(3), 12);
    // q = 10 is there: (1 − 1/4)/(1 + log2 2) = 0.375; p = 0 at the root → frozen.
    expect(t.score([10])).toBeCloseTo(0.375 * log2(3), 12);
    t.checkInvariants();
  });

  it("duplicates raise the leaf's mass instead of adding leaves", () => {
    const t = new RandomCutTree(2, 8, new Random(4));
    t.insert([1, 2]);
    t.insert([1, 2]);
    t.insert([1, 2]);
    expect(t.leafDepth([1, 2])).toEqual({ depth: 0, mass: 3, equal: true });
    expect(t.totalMass).toBe(3);
    // (1 − 3/6)/(0 + log2 4) = 0.25, × log2(4) = 0.5.
    expect(t.score([1, 2])).toBeCloseTo(0.5, 12);
    t.dampDuplicates = false;
    expect(t.score([1, 2])).toBeCloseTo(1, 12);
  });

  it("keeps boxes, masses and cuts consistent through random inserts and deletes", () => {
    const rng = new Random(9);
    const t = new RandomCutTree(3, 64, new Random(10));
    const pts: number[][] = [];
    for (let i = 0; i < 2000; i++) {
      if (pts.length < 60 && (pts.length < 10 || rng.nextDouble() < 0.6)) {
        const p = [Math.fround(rng.nextDouble() * 10), Math.fround(rng.nextInt(3)), Math.fround(rng.nextDouble())];
        pts.push(p);
        t.insert(p);
      } else {
        const [p] = pts.splice(rng.nextInt(pts.length), 1);
        t.delete(p);
      }
      if (i % 97 === 0) t.checkInvariants();
    }
    t.checkInvariants();
    expect(t.totalMass).toBe(pts.length);
    expect(() => t.delete([99, 99, 99])).toThrow(/not in the tree/);
  });

  it("separation probability is the share of the merged range outside the box", () => {
    expect(RandomCutTree.separationProbability([0, 0], [1, 1], [0.5, 0.5])).toBe(0);
    expect(RandomCutTree.separationProbability([0, 0], [1, 1], [3, 0.5])).toBeCloseTo(2 / 4, 12);
    expect(RandomCutTree.separationProbability([0, 0], [1, 1], [-1, 2])).toBeCloseTo(2 / 4, 12);
  });

  it("cuts a dimension in proportion to its range, uniformly within it", () => {
    // Two points 9 apart in x and 1 apart in y: the root cut is on x with probability 0.9.
    let onX = 0;
    let sumX = 0;
    for (let s = 0; s < 2000; s++) {
      const t = new RandomCutTree(2, 4, new Random(s));
      t.insert([0, 0]);
      t.insert([9, 1]);
      const cut = t.rootCut()!;
      if (cut.dim === 0) {
        onX++;
        sumX += cut.value;
      }
    }
    expect(onX / 2000).toBeGreaterThan(0.87);
    expect(onX / 2000).toBeLessThan(0.93);
    expect(sumX / onX).toBeGreaterThan(4.2); // uniform on [0, 9): mean 4.5
    expect(sumX / onX).toBeLessThan(4.8);
  });
});

describe("WeightedSampler", () => {
  it("keeps the smallest weights and evicts the largest first", () => {
    const s = new WeightedSampler(3, 1);
    const out = new Float32Array(1);
    expect(s.add(0.5, [1], 0, out)).toBe(false);
    expect(s.add(0.9, [2], 0, out)).toBe(false);
    expect(s.add(0.1, [3], 0, out)).toBe(false);
    expect(s.accepts(0.95)).toBe(false);
    expect(s.accepts(0.6)).toBe(true);
    expect(s.add(0.6, [4], 0, out)).toBe(true);
    expect(out[0]).toBe(2); // weight 0.9 left first
    expect(s.add(0.2, [5], 0, out)).toBe(true);
    expect(out[0]).toBe(4); // then 0.6
    expect([...s.weights].sort()).toEqual([0.1, 0.2, 0.5]);
  });

  it("pre-rejects only offers whose exact weight it would reject, and nothing while not full", () => {
    const lambda = 1e-3;
    const s = new WeightedSampler(16, 1);
    const out = new Float32Array(1);
    const rng = new Random(8);
    let preRejected = 0;
    for (let t = 0; t < 20_000; t++) {
      const x = -Math.log(1 - rng.nextDouble());
      const weight = -lambda * t + Math.log(x);
      const e = Math.exp(lambda * t);
      if (s.size < s.capacity) expect(s.surelyRejects(x, e)).toBe(false);
      if (s.surelyRejects(x, e)) {
        preRejected++;
        expect(s.accepts(weight)).toBe(false);
        continue;
      }
      if (s.accepts(weight)) s.add(weight, [t], 0, out);
    }
    // It does its job: most offers to a full sampler never need the exact weight.
    expect(preRejected).toBeGreaterThan(15_000);
  });
});

describe("RandomCutForest (streaming)", () => {
  it("is 0 during warm-up, reproducible for a seed, and flags a spike", () => {
    const run = (seed: number) => {
      const f = new RandomCutForest({ dimensions: 1, numTrees: 30, sampleSize: 64, timeDecay: 1e-4, seed });
      const rng = new Random(5);
      const scores: number[] = [];
      for (let i = 0; i < 600; i++) scores.push(f.process([i === 500 ? 50 : rng.nextDouble()]));
      return scores;
    };
    const a = run(1);
    expect(a.slice(0, 64).every((s) => s === 0)).toBe(true);
    expect(a).toEqual(run(1));
    expect(a).not.toEqual(run(2));
    const normal = a.slice(100, 500);
    const mean = normal.reduce((x, y) => x + y, 0) / normal.length;
    expect(a[500]).toBeGreaterThan(2 * mean);
  });

  it("processBlock gives exactly the scores and the model that process() one at a time does", () => {
    const opts = { dimensions: 3, numTrees: 20, sampleSize: 32, timeDecay: 1e-3, seed: 9 };
    const rng = new Random(21);
    const points = Array.from({ length: 700 }, (_, i) => [rng.nextDouble(), rng.nextDouble() * 3, i % 97 === 0 ? 40 : rng.nextDouble()]);
    const one = new RandomCutForest(opts);
    const expected = points.map((p) => one.process(p));
    const blocked = new RandomCutForest(opts);
    // Uneven blocks, one of them straddling the end of the warm-up (outputAfter = 32).
    const got: number[] = [];
    for (const [from, to] of [[0, 10], [10, 45], [45, 46], [46, 400], [400, 700]]) got.push(...blocked.processBlock(points.slice(from, to)));
    expect(got).toEqual(expected);
    expect(got.slice(0, 32).every((s) => s === 0)).toBe(true);
    expect(got[32]).toBeGreaterThan(0);
    // Same state afterwards: the next point scores the same and the samplers hold the same weights.
    expect(blocked.process([0.5, 1, 0.5])).toBe(one.process([0.5, 1, 0.5]));
    blocked.samplers.forEach((s, i) => expect([...s.weights]).toEqual([...one.samplers[i].weights]));
    expect(() => blocked.processBlock([[1, 2]])).toThrow(/expected 3 values, got 2 \(point 0\)/);
  });

  it("shingles consecutive values", () => {
    const s = new Shingle(3);
    expect(s.push(1)).toBeUndefined();
    expect(s.push(2)).toBeUndefined();
    expect([...s.push(3)!]).toEqual([1, 2, 3]);
    expect([...s.push(4)!]).toEqual([2, 3, 4]);
    // The whole series at once: separate arrays, none for the first size−1 values.
    expect(Shingle.points([1, 2, 3, 4], 3)).toEqual([[1, 2, 3], [2, 3, 4]]);
    expect(Shingle.points([1, 2], 3)).toEqual([]);
  });
});

describe("BatchRcfModel (SageMaker batch mode)", () => {
  const rng = new Random(11);
  const rows = Array.from({ length: 3000 }, () => [rng.nextDouble(), rng.nextDouble() * 2, 5 + rng.nextDouble()]);
  const model = BatchRcfModel.train(rows, { numTrees: 40, sampleSize: 128, seed: 3 });

  it("scores outliers above inliers and never changes when scoring", () => {
    const before = model.score([[0.5, 1, 5.5]]);
    const outlier = model.scoreOne([10, -10, 40]);
    expect(outlier).toBeGreaterThan(thresholdFromStats(model.stats, 3));
    expect(model.score([[0.5, 1, 5.5]])).toEqual(before);
  });

  it("scores a batch exactly as it scores each point alone", () => {
    const probe = rows.slice(100, 160).concat([[10, -10, 40], [0, 0, 0]]);
    expect(model.score(probe)).toEqual(probe.map((p) => model.scoreOne(p)));
    expect(() => model.score([[1, 2, 3], [1, 2]])).toThrow(/expected 3 features, got 2 \(row 1\)/);
  });

  it("round-trips through its file and scores identically", () => {
    const file = join(mkdtempSync(join(tmpdir(), "rcf-")), "model.json");
    model.save(file);
    const loaded = loadModel(file);
    const probe = rows.slice(0, 50).concat([[3, 3, 3]]);
    expect(loaded.score(probe)).toEqual(model.score(probe));
    expect(loaded.stats).toEqual(model.stats);
  });

  it("rejects bad training data with a clear error", () => {
    expect(() => BatchRcfModel.train([])).toThrow(/empty/);
    expect(() => BatchRcfModel.train([[1, 2], [1]])).toThrow(/row 1 has 1 values/);
    expect(() => BatchRcfModel.train([[1, NaN]])).toThrow(/finite/);
  });

  it("derives the threshold from score statistics", () => {
    expect(scoreStats([1, 2, 3])).toEqual({ mean: 2, std: 1, count: 3 });
    expect(thresholdFromStats({ mean: 1, std: 0.2, count: 100 }, 3)).toBeCloseTo(1.6, 12);
    expect(() => thresholdFromStats({ mean: 0, std: 0, count: 0 }, 3)).toThrow(/missing/);
  });
});
