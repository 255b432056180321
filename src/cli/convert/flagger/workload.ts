// The Canary's target Deployment as the Rollout's pods: `workloadRef` (default), so the Deployment stays in
// Git and its template changes ship as new versions, with `scaleDown: onsuccess` because Flagger itself keeps
// its target at zero once the primary runs; or, with --inline, its template copied into the Rollout (the
// Deployment is then consumed: delete it). And the HPA Flagger cloned for the primary, retargeted.
import type { Document } from "yaml";
import type { SourceDoc } from "../types.ts";
import { type Json, type Source, stringMap } from "./source.ts";

export type Workload = {
  /** Rollout spec fields: selector, workloadRef or template, replicas and what else the Deployment carries. */
  spec: Json;
  /** Rollout metadata from an inlined Deployment. */
  metadata: Json;
  /** Labels the Services select on. */
  selectorLabels: Record<string, string>;
  containers: unknown[];
  /** The Deployment's rollingUpdate bounds, for strategy.canary. */
  surge: Json;
  deployment: Source | undefined;
  /** The Deployment's progressDeadlineSeconds, used when the Canary sets none. */
  deadline?: number;
};

export function resolveWorkload(
  canary: Source,
  deployments: Source[],
  inline: boolean,
  consumed: Document[],
): Workload {
  const name = canary.str(["spec", "targetRef", "name"]) ?? canary.name;
  canary.use(["spec", "targetRef"]);
  const dep = deployments.find(
    (d) => d.name === name && (d.namespace ?? canary.namespace) === canary.namespace,
  );
  const selector = dep?.rec(["spec", "selector"]) ?? { matchLabels: { app: name } };
  if (!dep)
    canary.note(
      ["spec", "targetRef"],
      `Deployment ${name} is not among the inputs: spec.selector is set to Flagger's convention ` +
        `{matchLabels: {app: ${name}}}; make it the Deployment's own spec.selector` +
        (inline ? "; and --inline needs the Deployment, so the Rollout refers to it with workloadRef" : ""),
    );
  const selectorLabels = stringMap(selector.matchLabels) ?? { app: name };
  const spec: Json = { selector };
  const replicas = dep?.num(["spec", "replicas"]);
  if (replicas !== undefined && replicas > 0) spec.replicas = replicas;
  else if (replicas === 0)
    dep?.note(
      ["spec", "replicas"],
      `Deployment ${name} has 0 replicas, as Flagger leaves its target between releases: the Rollout gets ` +
        `ramp's default (1); set spec.replicas to the primary's count (kubectl get deployment ${name}-primary)`,
    );
  const out: Workload = {
    spec,
    metadata: {},
    selectorLabels,
    containers: dep?.list(["spec", "template", "spec", "containers"]) ?? [],
    surge: {},
    deployment: dep,
  };
  // Flagger's primary takes these from its target at every promotion, so the Rollout does too.
  if (dep) carryDeploymentSpec(dep, out);
  if (!dep || !inline) {
    spec.workloadRef = { apiVersion: "apps/v1", kind: "Deployment", name, scaleDown: "onsuccess" };
    // Deleting such a Rollout gives the routes back and scales the Deployment up again: always what
    // Flagger's revertOnDeletion asks for.
    canary.use(["spec", "revertOnDeletion"]);
    return out;
  }
  if (canary.bool(["spec", "revertOnDeletion"]) === true)
    canary.drop(
      ["spec", "revertOnDeletion"],
      "with --inline the Deployment is gone, so there is nothing to give back to when the Rollout is deleted: " +
        "convert without --inline (a workloadRef Deployment is scaled back up when its Rollout is deleted)",
    );
  canary.use(["spec", "revertOnDeletion"]);
  out.metadata = dep.metadataToCarry();
  out.spec.template = dep.get(["spec", "template"]);
  if (dep.bool(["spec", "paused"]) === true) out.spec.paused = true;
  dep.use(["spec", "template"], ["spec", "paused"], ["kind"], ["apiVersion"], ["status"]);
  consumed.push(dep.src.doc);
  return out;
}

function carryDeploymentSpec(dep: Source, out: Workload): void {
  for (const k of ["minReadySeconds", "revisionHistoryLimit"] as const) {
    const v = dep.get(["spec", k]);
    if (v !== undefined) out.spec[k] = v;
  }
  const deadline = dep.num(["spec", "progressDeadlineSeconds"]);
  if (deadline !== undefined) out.deadline = deadline;
  const rolling = dep.rec(["spec", "strategy", "rollingUpdate"]) ?? {};
  for (const k of ["maxSurge", "maxUnavailable"]) if (rolling[k] !== undefined) out.surge[k] = rolling[k];
  dep.use(
    ["spec", "selector"],
    ["spec", "replicas"],
    ["spec", "minReadySeconds"],
    ["spec", "revisionHistoryLimit"],
  );
  dep.use(
    ["spec", "progressDeadlineSeconds"],
    ["spec", "strategy", "rollingUpdate"],
    ["spec", "strategy", "type"],
  );
  if (dep.str(["spec", "strategy", "type"]) === "Recreate")
    dep.drop(
      ["spec", "strategy", "type"],
      "ramp runs the new version beside the old one: there is no Recreate",
    );
}

/** The Deployment's fields the Rollout does not take, once the strategy has taken what it could. */
export function reportDeployment(dep: Source): void {
  dep.leftovers(["spec"], "not carried into the Rollout: ramp has no such field");
  dep.leftovers(["metadata"], "not carried into the Rollout");
}

/**
 * `autoscalerRef`: Flagger clones the HPA for its primary (`<name>-primary`) and pauses the target's; with
 * ramp one HPA scales the Rollout. The HPA among the inputs comes back retargeted, `primaryScalerReplicas`
 * applied (they were the primary's bounds).
 */
export function convertAutoscaler(
  canary: Source,
  hpas: Source[],
  rollout: string,
): { object: Json; source: SourceDoc } | undefined {
  const ref = ["spec", "autoscalerRef"];
  if (!canary.has(ref)) return undefined;
  const kind = canary.str([...ref, "kind"]) ?? "HorizontalPodAutoscaler";
  const name = canary.str([...ref, "name"]) ?? "";
  canary.use([...ref, "apiVersion"], [...ref, "kind"], [...ref, "name"]);
  const retarget = `{apiVersion: ramp.dev/v1alpha1, kind: Rollout, name: ${rollout}}`;
  if (kind !== "HorizontalPodAutoscaler") {
    canary.note(
      ref,
      `point ${kind} ${name}'s scaleTargetRef at the Rollout: ${retarget}; delete Flagger's ${name}-primary`,
    );
    canary.drop(
      [...ref, "primaryScalerQueries"],
      `the queries Flagger gave its primary's ${kind}: the one ${kind} now scales the Rollout; put them in it`,
    );
    canary.drop([...ref, "primaryScalerReplicas"], `the primary's bounds: set them on ${kind} ${name}`);
    return undefined;
  }
  canary.drop([...ref, "primaryScalerQueries"], "read only for a KEDA ScaledObject");
  const hpa = hpas.find((h) => h.name === name && (h.namespace ?? canary.namespace) === canary.namespace);
  if (!hpa) {
    canary.use([...ref, "primaryScalerReplicas"]);
    canary.note(
      ref,
      `HPA ${name} is not among the inputs: set its scaleTargetRef to ${retarget} (and the bounds of primaryScalerReplicas, if any); delete Flagger's ${name}-primary`,
    );
    return undefined;
  }
  const spec: Json = { ...(hpa.rec(["spec"]) ?? {}) };
  spec.scaleTargetRef = { apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", name: rollout };
  for (const k of ["minReplicas", "maxReplicas"]) {
    const v = canary.num([...ref, "primaryScalerReplicas", k]);
    if (v !== undefined) spec[k] = v;
  }
  canary.use([...ref, "primaryScalerReplicas"]);
  hpa.use([]);
  const meta = hpa.metadataToCarry();
  const object = {
    apiVersion: hpa.str(["apiVersion"]) ?? "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name, ...(hpa.namespace ? { namespace: hpa.namespace } : {}), ...meta },
    spec,
  };
  return { object, source: hpa.src };
}

export const isDeployment = (s: Source): boolean => s.kind === "Deployment";
export const isHpa = (s: Source): boolean => s.kind === "HorizontalPodAutoscaler";
