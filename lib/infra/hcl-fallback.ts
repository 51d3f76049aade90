/**
 * Repairs cdktf's HCL rendering where it is not schema-exact. cdktf writes every nested object
 * as a block (`name { … }`), but providers built on the plugin framework declare some of them as
 * nested *attributes*, which HCL must write as `name = { … }` — Terraform rejects the block form.
 * JSON (`*.tf.json`) does not distinguish the two, which is why the JSON output is unaffected.
 *
 * The renderer does not know the schemas, so the cases are listed here explicitly, each from the
 * provider's schema (tested: a test fails if one of them is rendered as a block again).
 */

export interface NestedAttribute {
  /** Top-level block kind and label, e.g. ["provider", "helm"] or ["resource", "helm_release"]. */
  readonly owner: readonly [string, string];
  /** Path of nested names below the owner, e.g. ["kubernetes", "exec"]. */
  readonly path: readonly string[];
  /** `single` = one object; `list` = a list of objects (several blocks become one list). */
  readonly nesting: "single" | "list";
}

/** helm provider 3.x (plugin framework): see its v3 upgrade guide and schema. */
export const NESTED_ATTRIBUTES: readonly NestedAttribute[] = [
  { owner: ["provider", "helm"], path: ["kubernetes"], nesting: "single" },
  { owner: ["provider", "helm"], path: ["kubernetes", "exec"], nesting: "single" },
  { owner: ["provider", "helm"], path: ["experiments"], nesting: "single" },
  { owner: ["provider", "helm"], path: ["registries"], nesting: "list" },
  { owner: ["resource", "helm_release"], path: ["set"], nesting: "list" },
  { owner: ["resource", "helm_release"], path: ["set_list"], nesting: "list" },
  { owner: ["resource", "helm_release"], path: ["set_sensitive"], nesting: "list" },
  { owner: ["resource", "helm_release"], path: ["set_wo"], nesting: "list" },
  { owner: ["resource", "helm_release"], path: ["postrender"], nesting: "single" },
];

/** Net `{`/`[` minus `}`/`]` of a line, ignoring characters inside strings. */
function depthChange(line: string): number {
  let d = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") d++;
    else if (ch === "}" || ch === "]") d--;
  }
  return d;
}

const BLOCK_OPEN = /^(\s*)([A-Za-z_][\w-]*)((?:\s+"[^"]*")*)\s*\{\s*$/;

interface Frame {
  /** Block name (top level: kind), or null for anything that is not a block (attribute values). */
  readonly name: string | null;
  readonly labels: string[];
  /** Depth at which this frame closes. */
  readonly depth: number;
}

/**
 * Rewrites the listed nested attributes from block syntax to attribute syntax. Throws on a
 * list-nested attribute rendered as blocks (not produced by this project's stacks; converting
 * it silently could reorder the list).
 */
export function fixNestedAttributes(hcl: string, table: readonly NestedAttribute[] = NESTED_ATTRIBUTES): { hcl: string; fixes: string[] } {
  const lines = hcl.split("\n");
  const stack: Frame[] = [];
  let depth = 0;
  const fixes: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const m = BLOCK_OPEN.exec(line);
    const inBlockContext = stack.every((f) => f.name !== null);
    if (m && inBlockContext) {
      const labels = [...m[3].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
      const frames = [...stack, { name: m[2], labels, depth }];
      const top = frames[0];
      const ownerKey = [top.name, top.labels[0]];
      const path = frames.slice(1).map((f) => f.name);
      const hit = table.find((t) => t.owner[0] === ownerKey[0] && t.owner[1] === ownerKey[1] && t.path.join(".") === path.join("."));
      if (hit) {
        if (hit.nesting === "list") {
          throw new Error(`HCL fallback: ${ownerKey.join(" ")} ${path.join(".")} is a list attribute rendered as blocks; converting it is not supported`);
        }
        lines[i] = `${m[1]}${m[2]} = {`;
        fixes.push(`${ownerKey.join(".")}.${path.join(".")}`);
      }
      stack.push({ name: m[2], labels, depth });
      depth += 1;
      continue;
    }
    const change = depthChange(line);
    if (change > 0) {
      stack.push({ name: null, labels: [], depth });
      depth += change;
      // A line that opens several levels at once closes them one by one; one frame is enough
      // because only block frames are ever matched against the table.
      for (let k = 1; k < change; k++) stack.push({ name: null, labels: [], depth: depth - change + k });
    } else if (change < 0) {
      depth += change;
      while (stack.length > 0 && stack[stack.length - 1].depth >= depth) stack.pop();
    }
  }
  return { hcl: lines.join("\n"), fixes };
}
