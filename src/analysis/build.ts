// Builds an AnalysisRun from a Rollout's analysis reference and the templates it names.
import type { V1OwnerReference } from "@kubernetes/client-node";
import {
  type AnalysisArg,
  type AnalysisRun,
  AnalysisTemplate,
  type Metric,
  type Rollout,
  type RolloutAnalysis,
} from "../api/index.ts";
import { HASH_LABEL, ROLLOUT_LABEL } from "../api/labels.ts";
import { RampError } from "../errors.ts";

export const ANALYSIS_KIND_LABEL = "ramp.dev/analysis";
export const STEP_LABEL = "ramp.dev/step-index";

export type RunPurpose =
  | { kind: "step"; stepIndex: number }
  | { kind: "background" }
  | { kind: "prePromotion" }
  | { kind: "postPromotion" };

export type BuildInput = {
  rollout: Rollout;
  ref: RolloutAnalysis;
  purpose: RunPurpose;
  name: string;
  canaryHash: string;
  stableHash: string | undefined;
  /** Looks up a template in the cache: the namespace's or, with clusterScope, the cluster's. */
  template(name: string, clusterScope: boolean): unknown;
};

/** `a.b['c']` on the Rollout, for args valueFrom.fieldRef. */
function fieldOf(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const m of path.matchAll(/([^.[\]']+)|\['([^']*)'\]/g)) {
    const key = m[2] ?? m[1] ?? "";
    cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur === undefined || cur === null
    ? undefined
    : typeof cur === "object"
      ? JSON.stringify(cur)
      : String(cur);
}

export function buildRun(input: BuildInput): AnalysisRun {
  const { rollout: r, ref } = input;
  const ns = r.metadata.namespace ?? "";
  const metrics: Metric[] = [];
  const from = new Map<string, string>();
  const declared: AnalysisArg[] = [];
  const dryRun = [...(ref.dryRun ?? [])];
  const retention = [...(ref.measurementRetention ?? [])];
  for (const t of ref.templates) {
    const parsed = AnalysisTemplate.omit({ kind: true }).safeParse(
      input.template(t.templateName, t.clusterScope === true),
    );
    if (!parsed.success) {
      throw new RampError(
        "AnalysisTemplateNotFound",
        `analysis template "${t.templateName}" does not exist or is invalid: create or fix it`,
      );
    }
    for (const m of parsed.data.spec.metrics) {
      const other = from.get(m.name);
      if (other) {
        throw new RampError(
          "InvalidSpec",
          `metric "${m.name}" is in both templates "${other}" and "${t.templateName}": rename one`,
        );
      }
      from.set(m.name, t.templateName);
      metrics.push(m);
    }
    for (const a of parsed.data.spec.args ?? [])
      if (!declared.some((d) => d.name === a.name)) declared.push(a as AnalysisArg);
    dryRun.push(...(parsed.data.spec.dryRun ?? []));
    retention.push(...(parsed.data.spec.measurementRetention ?? []));
  }
  // Built-ins first, then the templates' defaults, then the Rollout's values: the most specific wins.
  const values = new Map<string, AnalysisArg>();
  const builtins: Record<string, string | undefined> = {
    "rollout-name": r.metadata.name,
    namespace: ns,
    "canary-hash": input.canaryHash,
    "stable-hash": input.stableHash,
  };
  for (const [name, value] of Object.entries(builtins))
    if (value !== undefined) values.set(name, { name, value });
  for (const a of declared) if (a.value !== undefined || a.valueFrom) values.set(a.name, a);
  for (const a of ref.args ?? []) values.set(a.name, a);
  const args: AnalysisArg[] = [];
  for (const d of [
    ...declared,
    ...[...values.values()].filter((v) => !declared.some((d) => d.name === v.name)),
  ]) {
    const a = values.get(d.name);
    if (!a)
      throw new RampError(
        "InvalidSpec",
        `analysis arg "${d.name}" has no value: set it in the Rollout's analysis args`,
      );
    args.push(resolveArg(a, r, input));
  }
  const owner: V1OwnerReference = {
    apiVersion: r.apiVersion,
    kind: r.kind,
    name: r.metadata.name,
    uid: r.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "AnalysisRun",
    metadata: {
      name: input.name,
      namespace: ns,
      labels: {
        [ROLLOUT_LABEL]: r.metadata.name,
        [HASH_LABEL]: input.canaryHash,
        [ANALYSIS_KIND_LABEL]: input.purpose.kind,
        ...(input.purpose.kind === "step" ? { [STEP_LABEL]: String(input.purpose.stepIndex) } : {}),
      },
      ownerReferences: [owner] as never,
    },
    spec: {
      metrics,
      args,
      ...(dryRun.length > 0 ? { dryRun } : {}),
      ...(retention.length > 0 ? { measurementRetention: retention } : {}),
    },
  };
}

/** Literal values stay; Secret references stay references (resolved at measurement time, never stored). */
function resolveArg(a: AnalysisArg, r: Rollout, input: BuildInput): AnalysisArg {
  if (a.value !== undefined || !a.valueFrom) return a;
  if (a.valueFrom.secretKeyRef) return a;
  if (a.valueFrom.podTemplateHashValue) {
    const hash = a.valueFrom.podTemplateHashValue === "Stable" ? input.stableHash : input.canaryHash;
    return { name: a.name, value: hash ?? "" };
  }
  const path = a.valueFrom.fieldRef?.fieldPath ?? "";
  const value = fieldOf(r, path);
  if (value === undefined)
    throw new RampError(
      "InvalidSpec",
      `analysis arg "${a.name}": fieldRef ${path} is not set on the Rollout`,
    );
  return { name: a.name, value };
}
