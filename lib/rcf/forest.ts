/**
 * Random Cut Forest: `numTrees` trees, each fed by its own time-decayed weighted reservoir
 * sampler, scored by the mean of the trees' normalized expected-inverse-depth scores.
 *
 * Two modes, as AWS runs them:
 * - streaming (Kinesis Analytics RANDOM_CUT_FOREST, the Java library): `process(point)` scores
 *   the point, then offers it to every sampler; weights decay with λ = timeDecay;
 * - SageMaker batch (`trainBatch`): λ = 0, each tree's sample drawn uniformly from the training
 *   set, and `score` never changes the model.
 */
import { Random } from "./random";
import { RandomCutTree } from "./tree";

export interface ForestOptions {
  readonly dimensions: number;
  /** @default 100 */
  readonly numTrees?: number;
  /** Points kept per tree. @default 256 */
  readonly sampleSize?: number;
  /** λ of the sampler weights −λ·t + ln(−ln u). @default 0 (no decay) */
  readonly timeDecay?: number;
  /** Scores are 0 until this many points were seen. @default sampleSize */
  readonly outputAfter?: number;
  readonly seed?: number;
  /**
   * Damp the score of points already in a tree by (1 − m/2M) (AWS's Java library default).
   * @default true
   */
  readonly dampDuplicates?: boolean;
}

/**
 * A weighted reservoir that keeps the `capacity` entries with the smallest weights
 * (a max-heap: the root is the next to go) and remembers each entry's point.
 */
export class WeightedSampler {
  readonly weights: Float64Array;
  readonly points: Float32Array;
  size = 0;

  constructor(
    readonly capacity: number,
    readonly dim: number,
  ) {
    this.weights = new Float64Array(capacity);
    this.points = new Float32Array(capacity * dim);
  }

  /** exp(largest weight), kept for `surelyRejects`; refreshed whenever the heap changes. */
  private expRoot = Infinity;

  /** True when a point with this weight would enter the sample. */
  accepts(weight: number): boolean {
    return this.size < this.capacity || weight < this.weights[0];
  }

  /**
   * A cheap pre-test for the streaming weight ln(x) − λt, given x = −ln u and e = exp(λt): true
   * only when the sampler is full and the weight is certainly not below the largest one
   * (x ≥ exp(w₀)·e, with a margin far above rounding). It saves the second logarithm for the
   * great majority of offers; every other case is decided by `accepts` on the exact weight.
   */
  surelyRejects(x: number, e: number): boolean {
    return this.size === this.capacity && x >= this.expRoot * e * (1 + 1e-9);
  }

  /**
   * Adds the point; if the sampler was full, the largest-weight entry leaves and its point is
   * copied to `evicted` (returns true then).
   */
  add(weight: number, p: ArrayLike<number>, off: number, evicted: Float32Array): boolean {
    const dim = this.dim;
    if (this.size < this.capacity) {
      let i = this.size++;
      // Sift up.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.weights[parent] >= weight) break;
        this.move(parent, i);
        i = parent;
      }
      this.weights[i] = weight;
      for (let d = 0; d < dim; d++) this.points[i * dim + d] = p[off + d];
      this.expRoot = Math.exp(this.weights[0]);
      return false;
    }
    for (let d = 0; d < dim; d++) evicted[d] = this.points[d];
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.weights[r] > this.weights[l] ? r : l;
      if (this.weights[c] <= weight) break;
      this.move(c, i);
      i = c;
    }
    this.weights[i] = weight;
    for (let d = 0; d < dim; d++) this.points[i * dim + d] = p[off + d];
    this.expRoot = Math.exp(this.weights[0]);
    return true;
  }

  private move(from: number, to: number): void {
    this.weights[to] = this.weights[from];
    this.points.copyWithin(to * this.dim, from * this.dim, from * this.dim + this.dim);
  }
}

export class RandomCutForest {
  readonly dimensions: number;
  readonly numTrees: number;
  readonly sampleSize: number;
  readonly timeDecay: number;
  readonly outputAfter: number;
  readonly seed: number;
  readonly trees: RandomCutTree[] = [];
  readonly samplers: WeightedSampler[] = [];
  private readonly samplerRngs: Random[] = [];
  /** Points seen so far (the sequence index of the next point). */
  seen = 0;
  private readonly scratch: Float32Array;
  private readonly evicted: Float32Array;

  constructor(o: ForestOptions) {
    if (!Number.isInteger(o.dimensions) || o.dimensions < 1) throw new RangeError(`dimensions must be a positive integer, got ${o.dimensions}`);
    this.dimensions = o.dimensions;
    this.numTrees = o.numTrees ?? 100;
    this.sampleSize = o.sampleSize ?? 256;
    this.timeDecay = o.timeDecay ?? 0;
    this.outputAfter = o.outputAfter ?? this.sampleSize;
    this.seed = o.seed ?? 42;
    if (this.numTrees < 1 || this.sampleSize < 1) throw new RangeError("numTrees and sampleSize must be at least 1");
    if (!(this.timeDecay >= 0)) throw new RangeError(`timeDecay must be >= 0, got ${this.timeDecay}`);
    for (let i = 0; i < this.numTrees; i++) {
      const tree = new RandomCutTree(this.dimensions, this.sampleSize, new Random(treeSeed(this.seed, i, 1)));
      tree.dampDuplicates = o.dampDuplicates ?? true;
      this.trees.push(tree);
      this.samplers.push(new WeightedSampler(this.sampleSize, this.dimensions));
      this.samplerRngs.push(new Random(treeSeed(this.seed, i, 2)));
    }
    this.scratch = new Float32Array(this.dimensions);
    this.evicted = new Float32Array(this.dimensions);
  }

  private toFloat32(p: ArrayLike<number>): Float32Array {
    if (p.length !== this.dimensions) throw new RangeError(`expected ${this.dimensions} values, got ${p.length}`);
    for (let d = 0; d < this.dimensions; d++) this.scratch[d] = p[d];
    return this.scratch;
  }

  /** Mean normalized score over the trees (does not change the model). */
  score(p: ArrayLike<number>): number {
    const q = this.toFloat32(p);
    let sum = 0;
    for (const t of this.trees) sum += t.score(q, 0);
    return sum / this.numTrees;
  }

  /** Offers the point to every tree's sampler (streaming update). */
  update(p: ArrayLike<number>): void {
    const q = this.toFloat32(p);
    const t = this.seen++;
    const e = Math.exp(this.timeDecay * t);
    for (let i = 0; i < this.numTrees; i++) this.offer(i, q, 0, t, e);
  }

  /**
   * Offers q[off .. off+dim), the point with sequence index t, to tree i's sampler
   * (e = exp(λt), shared by all trees for that point).
   */
  private offer(i: number, q: Float32Array, off: number, t: number, e: number): void {
    const sampler = this.samplers[i];
    // Weight ln(−ln u) − λt for u uniform in (0, 1]: 1 − nextDouble() is never 0.
    const x = -Math.log(1 - this.samplerRngs[i].nextDouble());
    if (sampler.surelyRejects(x, e)) return;
    const weight = -this.timeDecay * t + Math.log(x);
    if (!sampler.accepts(weight)) return;
    if (sampler.add(weight, q, off, this.evicted)) this.trees[i].delete(this.evicted, 0);
    this.trees[i].insert(q, off);
  }

  /** Streaming: score (0 during warm-up), then update. */
  process(p: ArrayLike<number>): number {
    const s = this.seen >= this.outputAfter ? this.score(p) : 0;
    this.update(p);
    return s;
  }

  /**
   * Streaming over a block of points: the same scores, and the same model afterwards, as
   * `process` on each point in turn — but tree by tree. Each tree sees only its own sampler and
   * random stream, so point j's score in tree i needs only tree i's updates from points < j;
   * visiting one tree for the whole block keeps its ~50 KB in cache instead of streaming the
   * whole forest (several MB) through it for every point. Scores are summed over the trees in
   * the same order as `score`, so they are bit-identical.
   */
  processBlock(points: readonly ArrayLike<number>[]): Float64Array {
    const n = points.length;
    const dim = this.dimensions;
    const flat = packPoints(points, dim, "values", "point");
    const sums = new Float64Array(n);
    const first = this.seen;
    // Points before this index are in the warm-up and score 0.
    const scoreFrom = Math.max(0, Math.min(n, this.outputAfter - first));
    const e = Float64Array.from({ length: n }, (_, j) => Math.exp(this.timeDecay * (first + j)));
    for (let i = 0; i < this.numTrees; i++) {
      const tree = this.trees[i];
      for (let j = 0; j < n; j++) {
        if (j >= scoreFrom) sums[j] += tree.score(flat, j * dim);
        this.offer(i, flat, j * dim, first + j, e[j]);
      }
    }
    this.seen += n;
    for (let j = scoreFrom; j < n; j++) sums[j] /= this.numTrees;
    return sums;
  }
}

/**
 * Points as one float32 array (point j at j·dim), the layout the trees read; throws on a point of
 * the wrong length, naming it as `${unit}` / `${item} j` in the message.
 */
export function packPoints(points: readonly ArrayLike<number>[], dim: number, unit: string, item: string): Float32Array {
  const flat = new Float32Array(points.length * dim);
  points.forEach((p, j) => {
    if (p.length !== dim) throw new RangeError(`expected ${dim} ${unit}, got ${p.length} (${item} ${j})`);
    for (let d = 0; d < dim; d++) flat[j * dim + d] = p[d];
  });
  return flat;
}

/** Per-tree seeds: independent streams for cuts (1) and sampling (2). */
export function treeSeed(seed: number, tree: number, stream: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(tree + 1, 0x85ebca77) ^ Math.imul(stream, 0xc2b2ae3d)) >>> 0;
}

/** Streaming shingling: the last `size` values as one point (external shingling). */
export class Shingle {
  private readonly buf: Float64Array;
  private count = 0;
  constructor(readonly size: number) {
    this.buf = new Float64Array(size);
  }
  /** Pushes a value; returns the shingle once `size` values were seen, else undefined. */
  push(value: number): Float64Array | undefined {
    this.buf.copyWithin(0, 1);
    this.buf[this.size - 1] = value;
    this.count++;
    return this.count >= this.size ? this.buf : undefined;
  }

  /** Every shingle of a series, as separate arrays (the first size−1 values make none). */
  static points(values: readonly number[], size: number): number[][] {
    const shingle = new Shingle(size);
    const out: number[][] = [];
    for (const v of values) {
      const p = shingle.push(v);
      if (p) out.push(Array.from(p));
    }
    return out;
  }
}
