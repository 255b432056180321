// The bench's workload rendered for Argo Rollouts: the objects workload.ts writes for ramp, under Argo's
// API group. ramp kept Argo's field names, so a bench Rollout and the failing AnalysisTemplate need only
// their apiVersion changed; test/unit/bench/argo-workload.test.ts proves it by converting the rendering
// back with `kubectl ramp convert`'s own converter and getting the ramp objects unchanged.
import type { BenchOptions } from "../options.ts";
import { failingTemplate, rollout } from "../workload.ts";

export const ARGO_API = "/apis/argoproj.io/v1alpha1";
const RAMP_GROUP = "ramp.dev/";
const ARGO_GROUP = "argoproj.io/";

/** A ramp object (Rollout, AnalysisTemplate) as Argo Rollouts' API takes it. */
export function toArgo<T extends object>(obj: T): T {
  const apiVersion = (obj as { apiVersion?: unknown }).apiVersion;
  if (typeof apiVersion !== "string" || !apiVersion.startsWith(RAMP_GROUP))
    throw new Error(`toArgo: ${String(apiVersion)} is not a ramp.dev object`);
  return { ...structuredClone(obj), apiVersion: ARGO_GROUP + apiVersion.slice(RAMP_GROUP.length) };
}

export const argoRollout = (name: string, opts: BenchOptions) => toArgo(rollout(name, opts));
export const argoFailingTemplate = (prometheusUrl: string) => toArgo(failingTemplate(prometheusUrl));
