/**
 * Security scan of the synthesized Terraform: checkov on every stack's JSON, then each failed
 * check must be listed in security/checkov-skips.json for that exact stack, check and resource,
 * with a reason. A failure not listed fails the scan; so does a listed skip that no longer
 * matches anything (a stale exception). Prints passed/failed/skipped per stack.
 *   tsx scripts/security-scan.ts [--checkov PATH]     (run npm run synth first)
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface Skip {
  stack: string;
  check: string;
  resource: string;
  reason: string;
}

const root = join(__dirname, "..");
const argv = process.argv.slice(2);
const checkov = argv[argv.indexOf("--checkov") + 1] && argv.includes("--checkov") ? argv[argv.indexOf("--checkov") + 1] : join(root, ".cache", "venv", "bin", "checkov");
const skips: Skip[] = JSON.parse(readFileSync(join(root, "security", "checkov-skips.json"), "utf8"));
for (const s of skips) if (!s.reason || s.reason.length < 20) throw new Error(`skip ${s.check} on ${s.resource} needs a reason`);

const resourceName = (r: string) => r.replace(/^(data|resource)\./, "").replace(/^[a-z0-9_]+\./, "").replace(/_[0-9A-F]{8}$/, "");
const used = new Set<Skip>();
let unexpected = 0;
for (const stack of ["foundation", "pipeline", "platform"]) {
  const r = spawnSync(checkov, ["-d", join(root, "cdktf.out", "stacks", stack), "--framework", "terraform_json", "-o", "json", "--compact"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`cannot run checkov at ${checkov}: ${r.error.message}`);
  const report = JSON.parse(r.stdout || "{}");
  const one = Array.isArray(report) ? report[0] : report;
  const results = { failed_checks: [], ...(one.results ?? {}) };
  const passed: number = one.summary?.passed ?? 0;
  let skipped = 0;
  const failedHere: string[] = [];
  for (const f of results.failed_checks as { check_id: string; resource: string }[]) {
    const name = resourceName(f.resource);
    const skip = skips.find((s) => s.stack === stack && s.check === f.check_id && s.resource === name);
    if (skip) {
      used.add(skip);
      skipped++;
    } else failedHere.push(`${f.check_id} ${f.resource}`);
  }
  unexpected += failedHere.length;
  console.log(`${stack}: passed ${passed}, failed ${failedHere.length}, skipped ${skipped}`);
  for (const f of failedHere) console.log(`  FAILED ${f}`);
}
const stale = skips.filter((s) => !used.has(s));
for (const s of stale) console.log(`  STALE skip ${s.stack} ${s.check} ${s.resource}: nothing fails it any more; remove it`);
process.exitCode = unexpected > 0 || stale.length > 0 ? 1 : 0;
