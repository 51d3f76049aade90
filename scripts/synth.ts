/**
 * `npm run synth`: synthesizes every stack twice, with the configuration loaded once.
 *   cdktf.out/stacks/<stack>/cdk.tf.json   JSON, what `cdktf deploy` applies (Terraform reads it natively)
 *   cdktf.out/hcl/<stack>/main.tf          HCL fallback: `terraform init && terraform apply` there, no Node
 * Both trees are self-contained: assets are copied next to the configuration and referenced
 * relatively, and local state paths are relative (see stacks/app.ts), so no absolute path of
 * this machine is written anywhere.
 */
import { App } from "cdktf";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { loadConfig, type PipelineConfig } from "../lib/config";
import { fixNestedAttributes } from "../lib/infra/hcl-fallback";
import { buildApp } from "../stacks/app";

export const STACK_NAMES = ["foundation", "pipeline", "platform"] as const;

export interface SynthResult {
  readonly jsonDir: string;
  readonly hclDir: string;
  readonly fixes: string[];
}

function synthOnce(config: PipelineConfig, outdir: string, hcl: boolean): void {
  const previous = process.env.SYNTH_HCL_OUTPUT;
  // cdktf decides JSON or HCL per stack when the stack is constructed, from this variable.
  process.env.SYNTH_HCL_OUTPUT = hcl ? "true" : "false";
  try {
    const app = new App({ outdir, skipValidation: false });
    buildApp(app, config);
    app.synth();
  } finally {
    if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = previous;
  }
}

/** Synthesizes into `outdir` (default cdktf.out) and writes the repaired HCL tree. */
export function synthesizeAll(config: PipelineConfig, outdir = resolve(__dirname, "..", "cdktf.out"), options: { format?: boolean } = {}): SynthResult {
  rmSync(outdir, { recursive: true, force: true });
  synthOnce(config, outdir, false);
  const raw = join(outdir, ".hcl-raw");
  synthOnce(config, raw, true);
  const hclDir = join(outdir, "hcl");
  const fixes: string[] = [];
  for (const stack of STACK_NAMES) {
    const from = join(raw, "stacks", stack);
    const to = join(hclDir, stack);
    mkdirSync(to, { recursive: true });
    const fixed = fixNestedAttributes(readFileSync(join(from, "cdk.tf"), "utf8"));
    fixes.push(...fixed.fixes.map((f) => `${stack}: ${f}`));
    writeFileSync(join(to, "main.tf"), fixed.hcl);
    if (existsSync(join(from, "assets"))) cpSync(join(from, "assets"), join(to, "assets"), { recursive: true });
  }
  rmSync(raw, { recursive: true, force: true });
  if (options.format ?? true) {
    // Canonical layout when terraform is installed; the files are valid without it.
    const fmt = spawnSync("terraform", ["fmt", "-recursive", hclDir], { encoding: "utf8" });
    if (fmt.status !== 0 && fmt.error === undefined) throw new Error(`terraform fmt rejected the HCL fallback:\n${fmt.stderr}`);
  }
  return { jsonDir: join(outdir, "stacks"), hclDir, fixes };
}

/** Every file under a folder, for checks that nothing absolute leaked in. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

if (require.main === module) {
  process.env.CHECKPOINT_DISABLE = "1";
  const t0 = Date.now();
  const config = loadConfig();
  const r = synthesizeAll(config);
  console.log(`synthesized ${STACK_NAMES.join(", ")} (profile ${config.profile}, environment ${config.environment}) in ${Date.now() - t0} ms`);
  console.log(`  JSON: ${r.jsonDir}/<stack>/cdk.tf.json`);
  console.log(`  HCL:  ${r.hclDir}/<stack>/main.tf  (nested attributes repaired: ${r.fixes.join(", ") || "none"})`);
}
