import { App, Testing, TerraformStack } from "cdktf";
import { loadConfig, type PipelineConfig } from "../../../lib/config";
import { buildApp, type AppStacks } from "../../../stacks/app";

export type Tf = Record<string, any>;

/** Synthesizes the whole app with a profile (+ overrides); returns each stack's JSON. */
export function synthApp(profile = "dev", overrides: Record<string, unknown> = {}): { config: PipelineConfig; stacks: AppStacks; json: Record<string, Tf> } {
  const config = loadConfig({ env: { PIPELINE_PROFILE: profile }, overrides });
  const app: App = Testing.app();
  const stacks = buildApp(app, config);
  const json: Record<string, Tf> = {};
  for (const [name, stack] of Object.entries(stacks) as [string, TerraformStack][]) json[name] = JSON.parse(Testing.synth(stack));
  return { config, stacks, json };
}

export function resources(tf: Tf, type: string): Tf[] {
  return Object.values(tf.resource?.[type] ?? {});
}

export function one(tf: Tf, type: string): Tf {
  const all = resources(tf, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** Every statement of every aws_iam_policy_document data source in a stack. */
export function policyStatements(tf: Tf): { doc: string; statement: Tf }[] {
  return Object.entries(tf.data?.aws_iam_policy_document ?? {}).flatMap(([doc, d]: [string, any]) => (d.statement as Tf[]).map((statement) => ({ doc, statement })));
}
