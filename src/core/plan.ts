// What a strategy's pure plan asks of the world, and the helpers that compare the cache to a wish. Every
// write here is a difference from the cache: a plan of a world already in place writes nothing.
import type { V1OwnerReference, V1ReplicaSet } from "@kubernetes/client-node";
import type { AnalysisRun } from "../api/index.ts";
import { HASH_LABEL, REVISION_ANNOTATION } from "../api/labels.ts";
import { RampError } from "../errors.ts";
import type { RouteWrite } from "../traffic/ports.ts";
import type { RolloutContext } from "./context.ts";
import type { StrategyOutcome } from "./outcome.ts";
import type { Caches } from "./ports.ts";
import { beyondHistory, buildReplicaSet, nextRevision, revisionOf, specReplicas } from "./replicasets.ts";

export type ReplicaSetWrite =
  | { op: "create"; replicaSet: V1ReplicaSet }
  | { op: "scale"; name: string; from: number; replicas: number }
  | { op: "annotate"; name: string; annotations: Record<string, string | null> }
  | { op: "delete"; name: string }
  /** A ReplicaSet labelled for the Rollout that no controller owns: the Rollout becomes its owner. */
  | { op: "adopt"; name: string; uid: string; owner: V1OwnerReference }
  /** Role metadata: the pod template, then every running pod of the ReplicaSet, then its record. */
  | {
      op: "roleMetadata";
      name: string;
      uid: string;
      selector: Record<string, string>;
      labels: Record<string, string | null>;
      annotations: Record<string, string | null>;
      /** The ramp.dev/ephemeral-metadata annotation to record once the pods carry it (null: none). */
      record: string | null;
    };

/** A Service's selector pinned to one version's pod-template hash. */
export type ServicePin = { name: string; hash: string; from: string | undefined };

export type RunWrites = { create: AnalysisRun[]; terminate: string[]; delete: string[] };

/**
 * One reconcile's answer: every write, in the groups `apply` carries out in its fixed order (services to a
 * full version, routes, services traffic has left, ReplicaSets, analysis, pods), then the status.
 */
export type RolloutPlan = {
  /** Services moved to the version every route is about to send to (it has its pods): before the routes. */
  servicesFirst: ServicePin[];
  routes: RouteWrite[];
  /** Services moved once the routes have taken traffic off them (a canary Service re-pinned). */
  services: ServicePin[];
  /** In order: the current version's create or revision, annotations, scales, history deletes. */
  replicaSets: ReplicaSetWrite[];
  analysis: RunWrites;
  /** Pods of the stable version deleted for a rolling restart (spec.restartAt). */
  podDeletes: string[];
  outcome: StrategyOutcome;
  /** spec.workloadRef's scaleDown: the Deployment's spec.replicas, after the ReplicaSet writes. */
  workloadScale?: { name: string; from: number; replicas: number } | undefined;
  /** A restart is due and the pods were not given: list them and plan again. */
  needsPods?: boolean;
};

export const noRuns = (): RunWrites => ({ create: [], terminate: [], delete: [] });

/** A plan that writes nothing but the status. */
export const statusOnly = (outcome: StrategyOutcome): RolloutPlan => ({
  servicesFirst: [],
  routes: [],
  services: [],
  replicaSets: [],
  analysis: noRuns(),
  podDeletes: [],
  outcome,
});

/** The current version's ReplicaSet as ramp creates it (the next revision), not yet sent. */
export const newReplicaSet = (ctx: RolloutContext, replicas: number): V1ReplicaSet =>
  buildReplicaSet(ctx.rollout, ctx.currentHash, nextRevision(ctx.all), replicas);

/**
 * The current version's ReplicaSet and the write it needs: created at `replicas` when missing; an older
 * version coming back (a rollback in Git) becomes the newest revision again.
 */
export function currentReplicaSet(
  ctx: RolloutContext,
  replicas: number,
  role: (rs: V1ReplicaSet) => V1ReplicaSet = (rs) => rs,
): { rs: V1ReplicaSet; unborn: boolean; writes: ReplicaSetWrite[] } {
  const existing = ctx.versions.current;
  if (!existing) {
    const rs = role(newReplicaSet(ctx, replicas));
    return { rs, unborn: true, writes: [{ op: "create", replicaSet: rs }] };
  }
  const latest = nextRevision(ctx.all) - 1;
  const name = existing.metadata?.name;
  if (!(revisionOf(existing) < latest && name)) return { rs: existing, unborn: false, writes: [] };
  const annotations = { [REVISION_ANNOTATION]: String(latest + 1) };
  // Reported as it will be once written: the status names the new revision in this same reconcile.
  const rs = {
    ...existing,
    metadata: { ...existing.metadata, annotations: { ...existing.metadata?.annotations, ...annotations } },
  };
  return { rs, unborn: false, writes: [{ op: "annotate", name, annotations }] };
}

/** A scale for each ReplicaSet whose spec differs from the wanted count (a ReplicaSet not yet created: none). */
export function scales(wanted: (readonly [V1ReplicaSet | undefined, number])[]): ReplicaSetWrite[] {
  return wanted.flatMap(([rs, count]) => {
    const name = rs?.metadata?.name;
    const from = specReplicas(rs);
    return rs && name && from !== count ? [{ op: "scale" as const, name, from, replicas: count }] : [];
  });
}

/** Points a Service at one version by the hash in its selector; a missing Service makes the Rollout Degraded. */
export function pin(
  ctx: RolloutContext,
  caches: Caches,
  service: string | undefined,
  hash: string | undefined,
): ServicePin[] {
  if (!service || !hash) return [];
  const svc = caches.service(ctx.namespace, service);
  if (!svc)
    throw new RampError(
      "ServiceNotFound",
      `Service "${service}" does not exist in namespace "${ctx.namespace}"`,
    );
  const from = svc.spec?.selector?.[HASH_LABEL];
  return from === hash ? [] : [{ name: service, hash, from }];
}

/** Deletes of versions at zero beyond revisionHistoryLimit. */
export const pruneHistory = (ctx: RolloutContext): ReplicaSetWrite[] =>
  beyondHistory(ctx.versions.others, ctx.rollout.spec.revisionHistoryLimit).flatMap((rs) =>
    rs.metadata?.name ? [{ op: "delete" as const, name: rs.metadata.name }] : [],
  );
