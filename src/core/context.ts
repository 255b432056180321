// One RolloutContext per reconcile, built from the caches: everything the strategies read.
import type { V1Deployment, V1ReplicaSet } from "@kubernetes/client-node";
import type { Rollout, RolloutManifest, RolloutStatus, WorkloadRef } from "../api/index.ts";
import { podTemplateHash } from "../kube/hash.ts";
import type { Deps } from "./ports.ts";
import { surgeLimits } from "./replicas.ts";
import { adoptable, ownedBy, partition, type Versions } from "./replicasets.ts";
import { resolveRollout } from "./workload.ts";

export type RolloutContext = {
  key: string;
  namespace: string;
  name: string;
  rollout: Rollout;
  /** status as last written (never undefined: {} for a new Rollout). */
  status: RolloutStatus;
  now: number;
  /** Hash of spec.template: the version the spec asks for. */
  currentHash: string;
  /** Hash of the version serving as stable; undefined on first deploy, or when its ReplicaSet is gone. */
  stableHash: string | undefined;
  /** Every live ReplicaSet the Rollout owns, and those labelled for it that no controller owns (adopted). */
  all: V1ReplicaSet[];
  /** Names of ReplicaSets labelled for this Rollout with no controller: the plan makes the Rollout their owner. */
  orphans: string[];
  /** With spec.workloadRef: the reference and the Deployment whose template the Rollout runs. */
  workload?: { ref: WorkloadRef; deployment: V1Deployment } | undefined;
  versions: Versions;
  replicas: number;
  surge: number;
  unavailable: number;
};

/** Throws a RampError (the Rollout goes Degraded) when spec.workloadRef cannot be resolved. */
export function buildContext(
  key: string,
  manifest: RolloutManifest,
  deps: Pick<Deps, "caches" | "now">,
): RolloutContext {
  const [namespace = "", name = ""] = key.split("/");
  const rollout: Rollout = resolveRollout(manifest, namespace, deps.caches);
  const ref = rollout.spec.workloadRef;
  const deployment = ref ? deps.caches.deployment(namespace, ref.name) : undefined;
  const status = rollout.status ?? {};
  const uid = rollout.metadata.uid;
  const labelled = deps.caches.replicaSetsOf(key);
  const orphans = adoptable(labelled);
  const all = [...ownedBy(uid, labelled), ...orphans];
  const currentHash = podTemplateHash(rollout.spec.template);
  let stableHash = status.stableRS;
  const versions0 = partition(all, currentHash, stableHash);
  // A stable version whose ReplicaSet is gone protects nothing: ship the current one as a first deploy.
  if (stableHash !== undefined && stableHash !== currentHash && !versions0.stable) stableHash = undefined;
  const strategy = rollout.spec.strategy;
  const replicas = rollout.spec.replicas;
  const limits = strategy.canary
    ? surgeLimits(replicas, strategy.canary.maxSurge, strategy.canary.maxUnavailable)
    : surgeLimits(replicas, "100%", strategy.blueGreen?.maxUnavailable ?? 0);
  return {
    key,
    namespace,
    name,
    rollout,
    status,
    now: deps.now(),
    currentHash,
    stableHash,
    all,
    orphans: orphans.flatMap((rs) => (rs.metadata?.name ? [rs.metadata.name] : [])),
    workload: ref && deployment ? { ref, deployment } : undefined,
    versions: partition(all, currentHash, stableHash),
    replicas,
    surge: limits.surge,
    unavailable: limits.unavailable,
  };
}
