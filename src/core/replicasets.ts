// The ReplicaSets ramp owns: one per pod-template version, named and labelled by its hash.
import type { V1OwnerReference, V1ReplicaSet } from "@kubernetes/client-node";
import type { Rollout } from "../api/index.ts";
import { HASH_LABEL, REVISION_ANNOTATION, ROLLOUT_LABEL } from "../api/labels.ts";
import type { Observed } from "./replicas.ts";

export const hashOf = (rs: V1ReplicaSet): string | undefined => rs.metadata?.labels?.[HASH_LABEL];
export const revisionOf = (rs: V1ReplicaSet): number =>
  Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
export const specReplicas = (rs: V1ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;

/** `web-7c9d8b5f4x`: deterministic, so a retried create can never make a duplicate. */
export function rsName(rolloutName: string, hash: string): string {
  return `${rolloutName.slice(0, 253 - hash.length - 1)}-${hash}`;
}

/** Available pods, never trusting a status that has not seen the latest spec beyond the spec itself. */
export function observe(rs: V1ReplicaSet | undefined): Observed | undefined {
  if (!rs) return undefined;
  const spec = specReplicas(rs);
  return { spec, available: Math.min(spec, rs.status?.availableReplicas ?? 0) };
}

export type Versions = {
  current?: V1ReplicaSet | undefined;
  stable?: V1ReplicaSet | undefined;
  others: V1ReplicaSet[];
};

/** Splits a Rollout's ReplicaSets into the current version, the stable one and everything else. */
export function partition(
  all: V1ReplicaSet[],
  currentHash: string,
  stableHash: string | undefined,
): Versions {
  const live = all.filter((rs) => !rs.metadata?.deletionTimestamp);
  return {
    current: live.find((rs) => hashOf(rs) === currentHash),
    stable: stableHash === undefined ? undefined : live.find((rs) => hashOf(rs) === stableHash),
    others: live.filter((rs) => hashOf(rs) !== currentHash && hashOf(rs) !== stableHash),
  };
}

export const nextRevision = (all: V1ReplicaSet[]): number => Math.max(0, ...all.map(revisionOf)) + 1;

/** The controller ownerReference a Rollout puts on the ReplicaSets it owns (and adopts). */
export const rolloutOwnerRef = (r: Rollout): V1OwnerReference => ({
  apiVersion: r.apiVersion,
  kind: r.kind,
  name: r.metadata.name,
  uid: r.metadata.uid ?? "",
  controller: true,
  blockOwnerDeletion: true,
});

/** The ReplicaSet for one version: the template as written plus the hash label, owned by the Rollout. */
export function buildReplicaSet(r: Rollout, hash: string, revision: number, replicas: number): V1ReplicaSet {
  const labels = { ...(r.spec.template.metadata?.labels ?? {}), [HASH_LABEL]: hash };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: rsName(r.metadata.name, hash),
      namespace: r.metadata.namespace ?? "default",
      labels: { ...labels, [ROLLOUT_LABEL]: r.metadata.name },
      annotations: { [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [rolloutOwnerRef(r)],
    },
    spec: {
      replicas,
      minReadySeconds: r.spec.minReadySeconds ?? 0,
      selector: {
        matchLabels: { ...(r.spec.selector.matchLabels ?? {}), [HASH_LABEL]: hash },
        ...(r.spec.selector.matchExpressions
          ? {
              matchExpressions: r.spec.selector.matchExpressions.map(({ key, operator, values }) =>
                values ? { key, operator, values } : { key, operator },
              ),
            }
          : {}),
      },
      template: {
        metadata: { ...(r.spec.template.metadata as object), labels },
        spec: r.spec.template.spec as never,
      },
    },
  };
}

/** Old versions at zero beyond revisionHistoryLimit, oldest first: these are deleted. */
export function beyondHistory(others: V1ReplicaSet[], limit: number): V1ReplicaSet[] {
  const idle = others.filter((rs) => specReplicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0);
  return idle.sort((a, b) => revisionOf(b) - revisionOf(a)).slice(limit);
}

/** Only the ReplicaSets this very Rollout owns (a recreated Rollout of the same name must not adopt old ones). */
export const ownedBy = (uid: unknown, sets: V1ReplicaSet[]): V1ReplicaSet[] =>
  sets.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid && o.controller));

/**
 * ReplicaSets labelled for the Rollout that no controller owns: left by `kubectl ramp migrate` (or an
 * orphaning delete), they are adopted as Kubernetes controllers adopt, so their pods keep running.
 */
export const adoptable = (sets: V1ReplicaSet[]): V1ReplicaSet[] =>
  sets.filter(
    (rs) => !rs.metadata?.deletionTimestamp && !rs.metadata?.ownerReferences?.some((o) => o.controller),
  );
