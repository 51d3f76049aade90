/**
 * The HCL fallback says the same as the JSON: each stack's main.tf, converted back to JSON with
 * @cdktf/hcl2json, equals its cdk.tf.json once only genuinely equivalent forms are normalized
 * (a block vs a one-element list of it, the "//" metadata cdktf adds to JSON, depends_on written
 * as bare references, a variable's type written as a type expression). Nested attributes from the table must come out as attributes.
 */
import { parse } from "@cdktf/hcl2json";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../lib/config";
import { fixNestedAttributes, NESTED_ATTRIBUTES } from "../../lib/infra/hcl-fallback";
import { listFiles, STACK_NAMES, synthesizeAll } from "../../scripts/synth";

jest.setTimeout(120_000);

function normalize(v: unknown, key = ""): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x, key));
    if (key === "depends_on") return items.map((x) => String(x).replace(/^\$\{(.*)\}$/, "$1"));
    return items.length === 1 && typeof items[0] === "object" && items[0] !== null && !Array.isArray(items[0]) ? items[0] : items;
  }
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== "//") out[k] = normalize(x, k);
    return out;
  }
  // A variable's type is a type expression in HCL (`type = string`), a string in JSON.
  if (key === "type" && typeof v === "string") return v.replace(/^\$\{(.*)\}$/, "$1");
  return v;
}

function get(obj: any, path: string[]): unknown {
  return path.reduce((o, k) => (o === undefined ? undefined : Array.isArray(o) ? o[0]?.[k] : o[k]), obj);
}

const REPO = resolve(__dirname, "..", "..");

describe("HCL fallback", () => {
  const out = mkdtempSync(join(tmpdir(), "synth-"));
  const config = loadConfig({ env: {} });
  const result = synthesizeAll(config, out);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.each(STACK_NAMES)("%s: main.tf converts back to exactly the JSON", async (stack) => {
    const hcl = await parse("main.tf", readFileSync(join(result.hclDir, stack, "main.tf"), "utf8"));
    const json = JSON.parse(readFileSync(join(result.jsonDir, stack, "cdk.tf.json"), "utf8"));
    expect(normalize(hcl)).toEqual(normalize(json));
  });

  it("writes the helm provider's nested attributes as attributes", async () => {
    const hcl = await parse("main.tf", readFileSync(join(result.hclDir, "platform", "main.tf"), "utf8"));
    const helm = (hcl.provider as any).helm[0];
    // hcl2json gives a block as a list and an attribute as an object.
    expect(Array.isArray(helm.kubernetes)).toBe(false);
    expect(Array.isArray(helm.kubernetes.exec)).toBe(false);
    expect(result.fixes).toEqual(["platform: provider.helm.kubernetes", "platform: provider.helm.kubernetes.exec"]);
    // The kubernetes provider (SDKv2) keeps exec as a block.
    expect(Array.isArray((hcl.provider as any).kubernetes[0].exec)).toBe(true);
  });

  it("every table entry that occurs in the output is an attribute there", async () => {
    for (const stack of STACK_NAMES) {
      const hcl: any = await parse("main.tf", readFileSync(join(result.hclDir, stack, "main.tf"), "utf8"));
      for (const t of NESTED_ATTRIBUTES) {
        const owners = t.owner[0] === "provider" ? (hcl.provider?.[t.owner[1]] ?? []) : Object.values(hcl.resource?.[t.owner[1]] ?? {}).flat();
        for (const o of owners) {
          const v = get(o, [...t.path]);
          if (v !== undefined) expect([stack, t.path.join("."), Array.isArray(v) ? "block" : "attribute"]).toEqual([stack, t.path.join("."), t.nesting === "list" ? "block" : "attribute"]);
        }
      }
    }
  });

  it("holds no absolute path of the synthesizing machine, and references assets relatively", () => {
    for (const f of [...listFiles(result.hclDir), ...listFiles(result.jsonDir)].filter((p) => /\.(tf|json)$/.test(p))) {
      const text = readFileSync(f, "utf8");
      expect([f, text.includes(REPO) || text.includes(out)]).toEqual([f, false]);
    }
    const main = readFileSync(join(result.hclDir, "pipeline", "main.tf"), "utf8");
    const asset = /filename\s*=\s*"([^"]+)"/.exec(main)![1];
    expect(asset.startsWith("assets/")).toBe(true);
    expect(listFiles(join(result.hclDir, "pipeline")).some((f) => f.endsWith(asset))).toBe(true);
  });

  it("is canonical HCL that terraform itself parses (terraform fmt -check)", () => {
    const r = spawnSync("terraform", ["fmt", "-check", "-recursive", "-no-color", result.hclDir], { encoding: "utf8" });
    expect(r.error).toBeUndefined();
    expect(r.stdout + r.stderr.replace(/[\s\S]*terraformrc[\s\S]*?╵\s*/, "")).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("fixNestedAttributes", () => {
  it("rewrites only the listed paths, ignoring braces inside strings", () => {
    const input = [
      'provider "helm" {',
      "kubernetes {",
      'host = "https://x"',
      "exec {",
      'args = ["{not a block}"]',
      "}",
      "}",
      "}",
      'resource "kubernetes_secret_v1" "s" {',
      "metadata {",
      'name = "kubernetes {"',
      "}",
      "}",
    ].join("\n");
    const { hcl, fixes } = fixNestedAttributes(input);
    expect(hcl.split("\n")[1]).toBe("kubernetes = {");
    expect(hcl.split("\n")[3]).toBe("exec = {");
    expect(hcl.split("\n")[9]).toBe("metadata {");
    expect(fixes).toEqual(["provider.helm.kubernetes", "provider.helm.kubernetes.exec"]);
  });

  it("refuses a list attribute rendered as blocks instead of guessing", () => {
    expect(() => fixNestedAttributes('resource "helm_release" "r" {\nset {\nname = "a"\n}\n}')).toThrow(/list attribute/);
  });
});
