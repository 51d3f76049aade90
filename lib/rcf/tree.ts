/**
 * One random cut tree, after AWS's reference design (aws/random-cut-forest-by-aws):
 * cut dimension chosen with probability proportional to its range, cut value uniform in it,
 * `x <= cut` goes left, a bounding box per internal node, duplicates raise a leaf's mass, and
 * insertion by the bottom-up "highest separating cut" walk (equivalent in distribution to
 * building the tree top-down).
 *
 * Storage is flat typed arrays with free lists, so inserting, deleting and scoring allocate
 * nothing. A node reference is an int: r >= 0 is an internal node, r < 0 is the leaf ~r.
 */
import { Random } from "./random";

export const NULL = 0x7fffffff;

export class RandomCutTree {
  readonly dim: number;
  readonly capacity: number;
  root = NULL;
  /** Number of points in the tree, duplicates included (M). */
  totalMass = 0;
  /** log2(totalMass + 1), kept with the mass: the score multiplies by it once per tree per point. */
  private normalizer = 0;

  // Internal nodes.
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly parent: Int32Array;
  private readonly cutDim: Int32Array;
  private readonly cutValue: Float64Array;
  private readonly mass: Int32Array;
  private readonly boxMin: Float64Array;
  private readonly boxMax: Float64Array;
  private readonly freeInternal: Int32Array;
  private freeInternalTop: number;
  // Leaves.
  private readonly leafPoint: Float32Array;
  private readonly leafMass: Int32Array;
  private readonly leafParent: Int32Array;
  private readonly freeLeaf: Int32Array;
  private freeLeafTop: number;
  // Scratch space.
  private readonly curMin: Float64Array;
  private readonly curMax: Float64Array;
  private readonly scratchMin: Float64Array;
  private readonly scratchMax: Float64Array;
  private readonly path: Int32Array;

  /**
   * Damp the score of a point already in the tree by (1 − m/2M), as AWS's Java library does.
   * Kinesis Analytics' RANDOM_CUT_FOREST does not (see the README's conformance figures).
   */
  dampDuplicates = true;

  constructor(
    dim: number,
    capacity: number,
    private readonly rng: Random,
  ) {
    this.dim = dim;
    this.capacity = capacity;
    const n = Math.max(1, capacity);
    this.left = new Int32Array(n);
    this.right = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.cutDim = new Int32Array(n);
    this.cutValue = new Float64Array(n);
    this.mass = new Int32Array(n);
    this.boxMin = new Float64Array(n * dim);
    this.boxMax = new Float64Array(n * dim);
    this.freeInternal = new Int32Array(n);
    for (let i = 0; i < n; i++) this.freeInternal[i] = n - 1 - i;
    this.freeInternalTop = n;
    this.leafPoint = new Float32Array((n + 1) * dim);
    this.leafMass = new Int32Array(n + 1);
    this.leafParent = new Int32Array(n + 1);
    this.freeLeaf = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) this.freeLeaf[i] = n - i;
    this.freeLeafTop = n + 1;
    this.curMin = new Float64Array(dim);
    this.curMax = new Float64Array(dim);
    this.scratchMin = new Float64Array(dim);
    this.scratchMax = new Float64Array(dim);
    this.path = new Int32Array(n + 2);
  }

  private parentOf(ref: number): number {
    return ref >= 0 ? this.parent[ref] : this.leafParent[~ref];
  }

  private setParent(ref: number, p: number): void {
    if (ref >= 0) this.parent[ref] = p;
    else this.leafParent[~ref] = p;
  }

  private massOf(ref: number): number {
    return ref >= 0 ? this.mass[ref] : this.leafMass[~ref];
  }

  private leafEquals(leaf: number, p: ArrayLike<number>, off: number): boolean {
    const base = leaf * this.dim;
    for (let d = 0; d < this.dim; d++) if (this.leafPoint[base + d] !== p[off + d]) return false;
    return true;
  }

  /** Follows the cuts from the root to a leaf; returns the leaf index (tree must be non-empty). */
  private descend(p: ArrayLike<number>, off: number): number {
    let node = this.root;
    while (node >= 0) node = p[off + this.cutDim[node]] <= this.cutValue[node] ? this.left[node] : this.right[node];
    return ~node;
  }

  /** Copies the box of `ref` (a leaf's box is its point) into curMin/curMax. */
  private loadBox(ref: number): void {
    const dim = this.dim;
    if (ref >= 0) {
      const b = ref * dim;
      for (let d = 0; d < dim; d++) {
        this.curMin[d] = this.boxMin[b + d];
        this.curMax[d] = this.boxMax[b + d];
      }
    } else {
      const b = ~ref * dim;
      for (let d = 0; d < dim; d++) this.curMin[d] = this.curMax[d] = this.leafPoint[b + d];
    }
  }

  /** Inserts the float32 point p[off .. off+dim). */
  insert(p: ArrayLike<number>, off = 0): void {
    const dim = this.dim;
    if (this.root === NULL) {
      const leaf = this.freeLeaf[--this.freeLeafTop];
      for (let d = 0; d < dim; d++) this.leafPoint[leaf * dim + d] = p[off + d];
      this.leafMass[leaf] = 1;
      this.leafParent[leaf] = NULL;
      this.root = ~leaf;
      this.totalMass = 1;
      this.normalizer = 1; // log2(1 + 1)
      return;
    }
    const leaf = this.descend(p, off);
    this.totalMass++;
    this.normalizer = Math.log2(this.totalMass + 1);
    if (this.leafEquals(leaf, p, off)) {
      this.leafMass[leaf]++;
      for (let a = this.leafParent[leaf]; a !== NULL; a = this.parent[a]) this.mass[a]++;
      return;
    }
    // Walk up from the leaf; at each level draw a cut over (subtree box ∪ p) and keep the
    // highest one that separates p from the subtree.
    let node = ~leaf;
    this.loadBox(node);
    let savedNode = node;
    let savedDim = 0;
    let savedValue = 0;
    const rng = this.rng;
    for (;;) {
      let sum = 0;
      for (let d = 0; d < dim; d++) {
        const v = p[off + d];
        sum += (v > this.curMax[d] ? v : this.curMax[d]) - (v < this.curMin[d] ? v : this.curMin[d]);
      }
      let r = rng.nextDouble() * sum;
      let cd = 0;
      let lo = 0;
      let hi = 0;
      for (let d = 0; d < dim; d++) {
        const v = p[off + d];
        lo = v < this.curMin[d] ? v : this.curMin[d];
        hi = v > this.curMax[d] ? v : this.curMax[d];
        const range = hi - lo;
        cd = d;
        if (r < range) break;
        r -= range;
      }
      let cut = lo + r;
      if (!(cut < hi)) cut = lo; // rounding at the top end
      const v = p[off + cd];
      if ((v <= cut && cut < this.curMin[cd]) || (this.curMax[cd] <= cut && cut < v)) {
        savedNode = node;
        savedDim = cd;
        savedValue = cut;
      }
      const up = this.parentOf(node);
      if (up === NULL) break;
      node = up;
      this.loadBox(node);
    }

    // Splice a new internal node X above savedNode; the new leaf is X's other child.
    const x = this.freeInternal[--this.freeInternalTop];
    const newLeaf = this.freeLeaf[--this.freeLeafTop];
    for (let d = 0; d < dim; d++) this.leafPoint[newLeaf * dim + d] = p[off + d];
    this.leafMass[newLeaf] = 1;
    const oldParent = this.parentOf(savedNode);
    this.cutDim[x] = savedDim;
    this.cutValue[x] = savedValue;
    if (p[off + savedDim] <= savedValue) {
      this.left[x] = ~newLeaf;
      this.right[x] = savedNode;
    } else {
      this.left[x] = savedNode;
      this.right[x] = ~newLeaf;
    }
    this.parent[x] = oldParent;
    this.setParent(savedNode, x);
    this.leafParent[newLeaf] = x;
    if (oldParent === NULL) this.root = x;
    else if (this.left[oldParent] === savedNode) this.left[oldParent] = x;
    else this.right[oldParent] = x;
    this.mass[x] = this.massOf(savedNode) + 1;
    this.loadBox(savedNode);
    const xb = x * dim;
    for (let d = 0; d < dim; d++) {
      const v = p[off + d];
      this.boxMin[xb + d] = v < this.curMin[d] ? v : this.curMin[d];
      this.boxMax[xb + d] = v > this.curMax[d] ? v : this.curMax[d];
    }
    for (let a = oldParent; a !== NULL; a = this.parent[a]) {
      this.mass[a]++;
      const ab = a * dim;
      for (let d = 0; d < dim; d++) {
        const v = p[off + d];
        if (v < this.boxMin[ab + d]) this.boxMin[ab + d] = v;
        if (v > this.boxMax[ab + d]) this.boxMax[ab + d] = v;
      }
    }
  }

  /** Removes one copy of the point; throws if the tree does not hold it. */
  delete(p: ArrayLike<number>, off = 0): void {
    if (this.root === NULL) throw new Error("RandomCutTree.delete: the tree is empty");
    const leaf = this.descend(p, off);
    if (!this.leafEquals(leaf, p, off)) throw new Error("RandomCutTree.delete: point not in the tree");
    this.totalMass--;
    this.normalizer = Math.log2(this.totalMass + 1);
    if (--this.leafMass[leaf] > 0) {
      for (let a = this.leafParent[leaf]; a !== NULL; a = this.parent[a]) this.mass[a]--;
      return;
    }
    const par = this.leafParent[leaf];
    this.freeLeaf[this.freeLeafTop++] = leaf;
    if (par === NULL) {
      this.root = NULL;
      return;
    }
    const sibling = this.left[par] === ~leaf ? this.right[par] : this.left[par];
    const grand = this.parent[par];
    this.setParent(sibling, grand);
    if (grand === NULL) this.root = sibling;
    else if (this.left[grand] === par) this.left[grand] = sibling;
    else this.right[grand] = sibling;
    this.freeInternal[this.freeInternalTop++] = par;
    // Once a box comes out unchanged, no ancestor's box can change: only masses remain.
    let boxesChanging = true;
    for (let a = grand; a !== NULL; a = this.parent[a]) {
      this.mass[a]--;
      if (boxesChanging) boxesChanging = this.recomputeBox(a);
    }
  }

  /** Recomputes a's box from its children; returns whether it changed. */
  private recomputeBox(a: number): boolean {
    const dim = this.dim;
    const ab = a * dim;
    const boxMin = this.boxMin;
    const boxMax = this.boxMax;
    const curMin = this.curMin;
    const curMax = this.curMax;
    this.loadBox(this.left[a]);
    const lMin = this.scratchMin;
    const lMax = this.scratchMax;
    for (let d = 0; d < dim; d++) {
      lMin[d] = curMin[d];
      lMax[d] = curMax[d];
    }
    this.loadBox(this.right[a]);
    let changed = false;
    for (let d = 0; d < dim; d++) {
      const lo = curMin[d] < lMin[d] ? curMin[d] : lMin[d];
      const hi = curMax[d] > lMax[d] ? curMax[d] : lMax[d];
      if (lo !== boxMin[ab + d] || hi !== boxMax[ab + d]) {
        changed = true;
        boxMin[ab + d] = lo;
        boxMax[ab + d] = hi;
      }
    }
    return changed;
  }

  /**
   * Expected inverse depth score of q (AWS's default anomaly score), before normalization by
   * log2(M + 1): leaf 1/(d+1), or (1 − m/2M)/(d + log2(m+1)) when q is already there; on the
   * way up p·1/(k+1) + (1−p)·score, with p the probability that a random cut of the node's box
   * grown to include q separates q; frozen once p = 0.
   */
  rawScore(q: ArrayLike<number>, off = 0): number {
    if (this.root === NULL) return 0;
    // Locals, not fields, in the hot loops: this is most of the forest's time.
    const dim = this.dim;
    const path = this.path;
    const cutDim = this.cutDim;
    const cutValue = this.cutValue;
    const left = this.left;
    const right = this.right;
    let depth = 0;
    let node = this.root;
    while (node >= 0) {
      path[depth++] = node;
      node = q[off + cutDim[node]] <= cutValue[node] ? left[node] : right[node];
    }
    const leaf = ~node;
    let score: number;
    if (this.leafEquals(leaf, q, off)) {
      const m = this.leafMass[leaf];
      const damp = this.dampDuplicates ? 1 - m / (2 * this.totalMass) : 1;
      score = damp / (depth + Math.log2(m + 1));
    } else {
      score = 1 / (depth + 1);
    }
    const boxMin = this.boxMin;
    const boxMax = this.boxMax;
    for (let k = depth - 1; k >= 0; k--) {
      const b = path[k] * dim;
      let sumBox = 0;
      let outside = 0;
      for (let d = 0; d < dim; d++) {
        const lo = boxMin[b + d];
        const hi = boxMax[b + d];
        const v = q[off + d];
        sumBox += hi - lo;
        if (v > hi) outside += v - hi;
        else if (v < lo) outside += lo - v;
      }
      const sumMerged = sumBox + outside;
      if (sumMerged === 0 || outside === 0) break;
      const prob = outside / sumMerged;
      score = prob / (k + 1) + (1 - prob) * score;
    }
    return score;
  }

  /** Normalized score: rawScore × log2(M + 1). */
  score(q: ArrayLike<number>, off = 0): number {
    return this.totalMass === 0 ? 0 : this.rawScore(q, off) * this.normalizer;
  }

  /** Separation probability of q against the box [lo, hi] (exposed for tests). */
  static separationProbability(lo: ArrayLike<number>, hi: ArrayLike<number>, q: ArrayLike<number>): number {
    let sumBox = 0;
    let sumMerged = 0;
    for (let d = 0; d < q.length; d++) {
      sumBox += hi[d] - lo[d];
      sumMerged += Math.max(q[d], hi[d]) - Math.min(q[d], lo[d]);
    }
    return sumMerged === 0 ? 0 : (sumMerged - sumBox) / sumMerged;
  }

  /** The root's cut, if the root is an internal node (for tests). */
  rootCut(): { dim: number; value: number } | undefined {
    return this.root >= 0 && this.root !== NULL ? { dim: this.cutDim[this.root], value: this.cutValue[this.root] } : undefined;
  }

  /** Depth of the leaf q would reach, and whether it holds q (for tests). */
  leafDepth(q: ArrayLike<number>): { depth: number; mass: number; equal: boolean } {
    let depth = 0;
    let node = this.root;
    while (node >= 0) {
      depth++;
      node = q[this.cutDim[node]] <= this.cutValue[node] ? this.left[node] : this.right[node];
    }
    return { depth, mass: this.leafMass[~node], equal: this.leafEquals(~node, q, 0) };
  }

  /** Checks structural invariants (masses, boxes, parent links); throws on the first violation. */
  checkInvariants(): void {
    if (this.root === NULL) {
      if (this.totalMass !== 0) throw new Error("empty tree with mass");
      return;
    }
    const visit = (ref: number, parent: number): { mass: number; min: number[]; max: number[] } => {
      if (this.parentOf(ref) !== parent) throw new Error(`bad parent link at ${ref}`);
      if (ref < 0) {
        const pt = Array.from(this.leafPoint.subarray(~ref * this.dim, ~ref * this.dim + this.dim));
        return { mass: this.leafMass[~ref], min: pt, max: pt };
      }
      const l = visit(this.left[ref], ref);
      const r = visit(this.right[ref], ref);
      const min = l.min.map((v, d) => Math.min(v, r.min[d]));
      const max = l.max.map((v, d) => Math.max(v, r.max[d]));
      for (let d = 0; d < this.dim; d++) {
        if (this.boxMin[ref * this.dim + d] !== min[d] || this.boxMax[ref * this.dim + d] !== max[d]) throw new Error(`bad box at ${ref}`);
      }
      if (l.max[this.cutDim[ref]] > this.cutValue[ref] || r.min[this.cutDim[ref]] <= this.cutValue[ref]) throw new Error(`cut does not separate at ${ref}`);
      if (this.mass[ref] !== l.mass + r.mass) throw new Error(`bad mass at ${ref}`);
      return { mass: l.mass + r.mass, min, max };
    };
    const total = visit(this.root, NULL).mass;
    if (total !== this.totalMass) throw new Error(`total mass ${this.totalMass} != ${total}`);
  }
}
