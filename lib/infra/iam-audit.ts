/**
 * Audits the IAM policy documents of synthesized stacks: no `*` in an allowed action, and no
 * `*` resource, for the data-plane services, except where AWS offers no resource-level scope
 * (WILDCARD_EXCEPTIONS) or in a KMS key policy, where `*` means "this key".
 */
import { WILDCARD_EXCEPTIONS } from "./iam";

export const DATA_PLANE_SERVICES = ["s3", "dynamodb", "sagemaker", "lambda", "kms", "secretsmanager"] as const;

export interface Finding {
  readonly stack: string;
  readonly document: string;
  readonly problem: string;
}

type Tf = Record<string, any>;

const isDataPlane = (action: string) => (DATA_PLANE_SERVICES as readonly string[]).includes(action.split(":")[0].toLowerCase());

export function auditStack(stack: string, tf: Tf): Finding[] {
  const findings: Finding[] = [];
  const docs: Record<string, Tf> = tf.data?.aws_iam_policy_document ?? {};
  const keyPolicyDocs = new Set(
    Object.values(tf.resource?.aws_kms_key ?? {}).map((k: any) => /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(String(k.policy))?.[1]),
  );
  for (const [name, doc] of Object.entries(docs)) {
    const keyPolicy = keyPolicyDocs.has(name);
    for (const st of doc.statement as Tf[]) {
      if ((st.effect ?? "Allow") !== "Allow") continue;
      const actions: string[] = st.actions ?? [];
      const resources: string[] = st.resources ?? [];
      const dataPlane = actions.filter(isDataPlane);
      if (dataPlane.length === 0) continue;
      for (const a of dataPlane) {
        if (a.includes("*") && !(keyPolicy && a === "kms:*")) findings.push({ stack, document: name, problem: `wildcard action ${a}` });
      }
      if (resources.includes("*") && !keyPolicy) {
        for (const a of dataPlane) if (!(a in WILDCARD_EXCEPTIONS)) findings.push({ stack, document: name, problem: `${a} on resource *` });
      }
    }
  }
  // Every attached policy must be one of the audited documents: no unchecked inline JSON.
  for (const type of ["aws_iam_role_policy", "aws_iam_policy", "aws_s3_bucket_policy", "aws_kms_key"]) {
    for (const [name, r] of Object.entries(tf.resource?.[type] ?? {}) as [string, any][]) {
      if (r.policy !== undefined && !/^\$\{data\.aws_iam_policy_document\.[^.]+\.json\}$/.test(String(r.policy))) {
        findings.push({ stack, document: `${type}.${name}`, problem: "policy is not an audited aws_iam_policy_document" });
      }
    }
  }
  return findings;
}
