// One RolloutContext per reconcile, built from the caches: everything the strategies read.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import type { Rollout, RolloutStatus } from "../api/index.ts";
import { podTemplateHash } from "../kube/hash.ts";
import type { Deps } from "./ports.ts";
import { surgeLimits } from "./replicas.ts";
import { ownedBy, partition, type Versions } from "./replicasets.ts";

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
  /** Every live ReplicaSet the Rollout owns. */
  all: V1ReplicaSet[];
  versions: Versions;
  replicas: number;
  surge: number;
  unavailable: number;
};

export function buildContext(
  key: string,
  rollout: Rollout,
  deps: Pick<Deps, "caches" | "now">,
): RolloutContext {
  const [namespace = "", name = ""] = key.split("/");
  const status = rollout.status ?? {};
  const uid = rollout.metadata.uid;
  const all = ownedBy(uid, deps.caches.replicaSetsOf(key));
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
    versions: partition(all, currentHash, stableHash),
    replicas,
    surge: limits.surge,
    unavailable: limits.unavailable,
  };
}
