// What Flagger leaves, read: the target and its selector label, the `<t>-primary` ReplicaSet that runs the
// stable version, and whether the Canary is settled (its phase, and a target template the primary does
// not run yet, Flagger's own rewrites aside).
import type { V1Deployment, V1ReplicaSet } from "@kubernetes/client-node";
import { HASH_LABEL, ROLLOUT_LABEL } from "../../api/labels.ts";
import { isObject } from "../../json.ts";
import {
  controllerOf,
  type FlaggerSource,
  type KubeObject,
  type Labels,
  labelsOf,
  MIGRATING_ANNOTATION,
} from "./model.ts";

/** Flagger's default --selector-labels: the first of these in the target's selector is the one it rewrites. */
export const FLAGGER_SELECTOR_LABELS = ["app", "name", "app.kubernetes.io/name"];
export const FLAGGER_FINALIZER = "finalizer.flagger.app";
const FLAGGER_ID = "flagger-id";
const TOOLKIT_MARKER = "toolkit.fluxcd.io";
const DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision";
const DEPLOYMENT_HASH = "pod-template-hash";

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const at = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), o);

export const targetName = (canary: KubeObject): string => str(at(canary.spec, "targetRef", "name")) ?? "";

/** apex, primary and canary Service names, as Flagger derives them (spec.service.name, else the target's). */
export function flaggerServiceNames(canary: KubeObject): { apex: string; primary: string; canary: string } {
  const apex = str(at(canary.spec, "service", "name")) ?? targetName(canary);
  return { apex, primary: `${apex}-primary`, canary: `${apex}-canary` };
}

/** The label Flagger rewrites and the target's value of it; undefined when the target selects by none. */
export function selectorLabel(target: V1Deployment | undefined): { key: string; value: string } | undefined {
  const match = target?.spec?.selector?.matchLabels ?? {};
  const key = FLAGGER_SELECTOR_LABELS.find((k) => match[k] !== undefined);
  return key ? { key, value: match[key] ?? "" } : undefined;
}

/**
 * The stable ReplicaSet: `<t>-primary`'s one with pods (its newest revision), or, after an interrupted run,
 * the one already labelled for the ramp Rollout (released, or adopted by it).
 */
export function flaggerStableReplicaSet(src: FlaggerSource, rampName: string): V1ReplicaSet | undefined {
  const uid = src.primary?.metadata?.uid;
  const live = src.replicaSets.filter((rs) => !rs.metadata?.deletionTimestamp);
  const ours = live.find((rs) => {
    const owner = controllerOf(rs);
    const rampOwned = owner?.apiVersion?.startsWith("ramp.dev/") === true && owner.name === rampName;
    return labelsOf(rs)[ROLLOUT_LABEL] === rampName && (!owner || rampOwned);
  });
  if (ours) return ours;
  // An orphan is one a run interrupted after deleting the primary left (src.replicaSets are the primary's).
  const owned = live.filter((rs) => {
    const owner = controllerOf(rs);
    return owner ? uid !== undefined && owner.uid === uid : src.primary === undefined;
  });
  const revision = (rs: V1ReplicaSet) => Number(rs.metadata?.annotations?.[DEPLOYMENT_REVISION] ?? 0);
  return owned.filter((rs) => (rs.spec?.replicas ?? 0) > 0).sort((a, b) => revision(b) - revision(a))[0];
}

/** The version's revision as the primary Deployment numbered it (1 when it has none). */
export const flaggerRevision = (rs: V1ReplicaSet): string =>
  rs.metadata?.annotations?.[DEPLOYMENT_REVISION] ?? "1";

/** Why the Canary is not settled (empty when it is): Flagger's phase, and a target the primary does not run. */
export function flaggerMidRollout(src: FlaggerSource, stable: V1ReplicaSet | undefined): string[] {
  const c = src.canary;
  const name = c.metadata.name;
  const reasons: string[] = [];
  const phase = str(c.status?.phase);
  if (phase !== "Initialized" && phase !== "Succeeded")
    reasons.push(
      `Canary ${name} is ${phase ?? "not initialized (no status.phase)"}, not Initialized or Succeeded`,
    );
  const ours = c.metadata.annotations?.[MIGRATING_ANNOTATION] !== undefined;
  if (c.spec?.suspend === true && !ours) reasons.push(`Canary ${name} is suspended (spec.suspend)`);
  const uid = src.primary?.metadata?.uid;
  const withPods = src.replicaSets.filter(
    (rs) => uid !== undefined && controllerOf(rs)?.uid === uid && (rs.spec?.replicas ?? 0) > 0,
  );
  if (withPods.length > 1) reasons.push(`Deployment ${targetName(c)}-primary is rolling between ReplicaSets`);
  const diff = pendingVersion(src, stable);
  if (diff)
    reasons.push(
      `Deployment ${targetName(c)} has a version ${targetName(c)}-primary does not run (${diff}): Flagger has not shipped it`,
    );
  return reasons;
}

/** Where the target's template differs from what the adopted pods run, or undefined when it does not. */
export function pendingVersion(src: FlaggerSource, stable: V1ReplicaSet | undefined): string | undefined {
  if (!src.target || !stable) return undefined;
  return templateDifference(src.target.spec?.template ?? {}, stable.spec?.template ?? {});
}

/** The ReplicaSet's template as it was written: without the Deployment's and ramp's hash labels. */
export function replicaSetTemplate(rs: V1ReplicaSet): Record<string, unknown> {
  const template = structuredClone(rs.spec?.template ?? {}) as { metadata?: { labels?: Labels } };
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[DEPLOYMENT_HASH];
  delete labels[HASH_LABEL];
  template.metadata = { ...(template.metadata ?? {}), labels };
  return template as Record<string, unknown>;
}

/**
 * The first difference between the target's template and what the primary runs, ignoring what Flagger
 * rewrites: its flagger-id annotation, Flux toolkit metadata, the pod-template-hash label, and values it
 * suffixes with `-primary` (the selector label, ConfigMap and Secret names, affinity values). Undefined
 * when they are the same version.
 */
export function templateDifference(want: unknown, running: unknown, path = "template"): string | undefined {
  const differs = () => `${path}: ${JSON.stringify(want)} vs ${JSON.stringify(running)}`;
  if (typeof want === "string" && typeof running === "string")
    return running === want || running === `${want}-primary` ? undefined : differs();
  if (Array.isArray(want) || Array.isArray(running)) {
    const a = Array.isArray(want) ? want : [];
    const b = Array.isArray(running) ? running : [];
    if (a.length !== b.length) return `${path}: ${a.length} vs ${b.length} items`;
    for (let i = 0; i < a.length; i++) {
      const d = templateDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isObject(want) || isObject(running)) {
    const a = isObject(want) ? want : {};
    const b = isObject(running) ? running : {};
    const labelMap = path.endsWith(".labels") || path.endsWith(".annotations");
    const rewritten = (k: string) =>
      labelMap &&
      (k === FLAGGER_ID || k === DEPLOYMENT_HASH || k === HASH_LABEL || k.includes(TOOLKIT_MARKER));
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (rewritten(k)) continue;
      const d = templateDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return want === running || (want == null && running == null) ? undefined : differs();
}
