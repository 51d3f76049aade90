/**
 * RCF throughput: streaming score+update, 100 trees × 256 samples, dimension 8 by shingling a
 * 1-D series, one thread — this project's TypeScript RCF and AWS's Java library
 * (software.amazon.randomcutforest:randomcutforest-core, from Maven Central) on the same data in
 * the same run; plus batch-mode (SageMaker semantics) scoring throughput.
 *   npm run bench -- rcf        (POINTS=50000 by default)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installFromMaven, REPO_ROOT } from "../lib/java-service";
import { RandomCutForest, Shingle } from "../lib/rcf/forest";
import { BatchRcfModel } from "../lib/rcf/model";
import { Random } from "../lib/rcf/random";

const POINTS = Number(process.env.POINTS ?? 50_000);
const TREES = 100;
const SAMPLES = 256;
const SHINGLE = 8;
const JAVA_RCF_VERSION = "4.3.0";

// A daily-seasonal series with noise and a few spikes.
const rng = new Random(17);
const series = Array.from({ length: POINTS }, (_, i) => 10 + 5 * Math.sin((2 * Math.PI * i) / 288) + rng.nextDouble() + (i % 5000 === 4999 ? 30 : 0));

/**
 * TypeScript streaming score+update over the same points as the Java harness, timed after the
 * first fifth (JIT warm-up), either one point at a time (score, then update, as Java's harness
 * does) or in blocks of BLOCK points through processBlock (identical scores, tree-major order).
 */
function tsStreaming(block: number): { rate: number; mean: number } {
  const forest = new RandomCutForest({ dimensions: SHINGLE, numTrees: TREES, sampleSize: SAMPLES, timeDecay: 1e-5, seed: 1 });
  const points = Shingle.points(series, SHINGLE);
  const warm = Math.floor(POINTS / 5) - (SHINGLE - 1);
  let sum = 0;
  let t0 = 0n;
  if (block <= 1) {
    for (let i = 0; i < points.length; i++) {
      if (i === warm) t0 = process.hrtime.bigint();
      const s = forest.score(points[i]);
      forest.update(points[i]);
      if (i >= warm) sum += s;
    }
  } else {
    forest.processBlock(points.slice(0, warm));
    t0 = process.hrtime.bigint();
    for (let i = warm; i < points.length; i += block) for (const s of forest.processBlock(points.slice(i, i + block))) sum += s;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rate: (points.length - warm) / secs, mean: sum / (points.length - warm) };
}

function javaStreaming(): { rate: number; mean: number } {
  const lib = installFromMaven({ name: `randomcutforest-${JAVA_RCF_VERSION}`, artifacts: [{ groupId: "software.amazon.randomcutforest", artifactId: "randomcutforest-core", version: JAVA_RCF_VERSION }] });
  const out = join(REPO_ROOT, ".cache", "bench-rcf");
  mkdirSync(out, { recursive: true });
  const c = spawnSync("javac", ["-cp", `${lib}/*`, "-d", out, join(REPO_ROOT, "bench", "java", "RcfBench.java")], { encoding: "utf8" });
  if (c.status !== 0) throw new Error(`javac failed:\n${c.stderr}`);
  const data = join(out, "series.txt");
  writeFileSync(data, series.join("\n"));
  const r = spawnSync("java", ["-Xmx1g", "-cp", `${out}:${lib}/*`, "RcfBench", data, String(TREES), String(SAMPLES), String(SHINGLE), "1"], { encoding: "utf8" });
  const m = /points_per_second=([\d.]+) mean_score=([\d.]+)/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`java harness failed:\n${r.stdout}${r.stderr}`);
  return { rate: Number(m[1]), mean: Number(m[2]) };
}

function tsBatch(): number {
  const rows = Shingle.points(series.slice(0, 20_000), SHINGLE);
  const model = BatchRcfModel.train(rows, { numTrees: TREES, sampleSize: SAMPLES, seed: 1, statsSample: 100 });
  const t0 = process.hrtime.bigint();
  model.score(rows);
  return rows.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const BLOCK = 1024;
const ts = tsStreaming(1);
const tsBlock = tsStreaming(BLOCK);
const java = javaStreaming();
console.log(`streaming score+update, ${TREES} trees × ${SAMPLES} samples, dim ${SHINGLE} (shingled), ${POINTS} points, one thread`);
console.log(`  AWS Java RCF ${JAVA_RCF_VERSION}, point by point: ${java.rate.toFixed(0)} points/s (mean score ${java.mean.toFixed(3)})`);
console.log(`  TypeScript RCF, point by point: ${ts.rate.toFixed(0)} points/s (mean score ${ts.mean.toFixed(3)}) → ${(ts.rate / java.rate).toFixed(2)}× Java`);
console.log(`  TypeScript RCF, blocks of ${BLOCK} (processBlock, same scores): ${tsBlock.rate.toFixed(0)} points/s (mean score ${tsBlock.mean.toFixed(3)}) → ${(tsBlock.rate / java.rate).toFixed(2)}× Java (goal ≥ 1.0×)`);
console.log(`batch mode (SageMaker semantics) scoring: ${tsBatch().toFixed(0)} points/s`);
