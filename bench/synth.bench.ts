/**
 * Synthesis cost: wall time and peak memory of synthesizing the whole app (all three stacks,
 * JSON) in a fresh Node process, as `cdktf synth` / `npm run synth` would. Median of 3 runs.
 * Goal: ≤ 3 s and ≤ 300 MB on a 2-core machine.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { median } from "./stats";

const root = join(__dirname, "..");
const runs: { wallMs: number; peakMb: number }[] = [];
for (let i = 0; i < 3; i++) {
  // The child reports its own peak RSS (maxRSS, KiB) when it exits.
  const t0 = process.hrtime.bigint();
  const probe = "process.on('exit', () => process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n')); require('./main.ts');";
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", probe], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", CDKTF_OUTDIR: join(root, ".cache", "bench-synth") },
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`synthesis failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
  runs.push({ wallMs, peakMb: Number(m[1]) / 1024 });
}
console.log(`whole app (foundation + pipeline + platform), 3 runs: ${runs.map((r) => `${(r.wallMs / 1000).toFixed(2)} s/${r.peakMb.toFixed(0)} MB`).join(", ")}`);
console.log(`synth wall time (median): ${(median(runs.map((r) => r.wallMs)) / 1000).toFixed(2)} s   (goal ≤ 3 s)`);
console.log(`synth peak RSS (median):  ${median(runs.map((r) => r.peakMb)).toFixed(0)} MB   (goal ≤ 300 MB)`);
