import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const dir = join(__dirname, "..", "..", ".github", "workflows");
const load = (f: string) => parse(readFileSync(join(dir, f), "utf8")) as Record<string, any>;
const steps = (wf: Record<string, any>) => Object.values(wf.jobs).flatMap((j: any) => j.steps as Record<string, any>[]);

describe("GitHub workflows", () => {
  it.each(["ci.yml", "plan.yml"])("%s pins every action to a commit SHA or a major version", (f) => {
    for (const s of steps(load(f)).filter((s) => s.uses)) expect(s.uses).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+|[0-9a-f]{40})$/);
  });

  it("ci runs .ci/run (the README's test command, synth and the scans) on push and PR, read-only", () => {
    const ci = load("ci.yml");
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(ci.permissions).toEqual({ contents: "read" });
    expect(steps(ci).some((s) => s.run === "bash .ci/run")).toBe(true);
    const run = readFileSync(join(__dirname, "..", "..", ".ci", "run"), "utf8");
    expect(run).toMatch(/^npm test( |$)/m);
    expect(run).toMatch(/security-scan/);
    expect(run).toMatch(/actionlint/);
  });

  it("plan uses OIDC (no stored keys), one run per PR, one updated comment, and fails on a failed plan", () => {
    const plan = load("plan.yml");
    expect(Object.keys(plan.on)).toEqual(["pull_request"]);
    expect(plan.permissions["id-token"]).toBe("write");
    expect(plan.concurrency).toEqual({ group: "plan-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    const creds = steps(plan).find((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials"))!;
    expect(creds.with["role-to-assume"]).toBe("${{ vars.AWS_PLAN_ROLE_ARN }}");
    expect(JSON.stringify(plan)).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/i);
    const text = readFileSync(join(dir, "plan.yml"), "utf8");
    expect(text).toContain("updateComment");
    expect(text).toMatch(/for stack in foundation pipeline platform/);
    expect(steps(plan).find((s) => s.name === "Fail when a plan failed")!.if).toBe("steps.plan.outputs.failed == '1'");
  });
});
