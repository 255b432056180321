// Idempotent writes shared by the strategies: each compares the cache to the wish and writes only a difference.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { HASH_LABEL, REVISION_ANNOTATION } from "../api/labels.ts";
import { RampError } from "../errors.ts";
import type { RolloutContext } from "./context.ts";
import type { Deps } from "./ports.ts";
import { beyondHistory, buildReplicaSet, nextRevision, revisionOf, specReplicas } from "./replicasets.ts";

const apiStatus = (err: unknown): number | undefined =>
  err && typeof err === "object" && "code" in err && typeof err.code === "number" ? err.code : undefined;

/** The current version's ReplicaSet as ramp creates it (the next revision), not yet sent. */
export const newReplicaSet = (ctx: RolloutContext, replicas: number): V1ReplicaSet =>
  buildReplicaSet(ctx.rollout, ctx.currentHash, nextRevision(ctx.all), replicas);

/** The ReplicaSet of the current version, created (at `replicas`) if missing. */
export async function ensureCurrentReplicaSet(
  ctx: RolloutContext,
  deps: Deps,
  replicas: number,
): Promise<V1ReplicaSet> {
  const existing = ctx.versions.current;
  if (existing) {
    // An older version coming back (a rollback in Git) becomes the newest revision again.
    const latest = nextRevision(ctx.all) - 1;
    if (revisionOf(existing) < latest && existing.metadata?.name) {
      await deps.writer.patchReplicaSet(ctx.namespace, existing.metadata.name, {
        metadata: { annotations: { [REVISION_ANNOTATION]: String(latest + 1) } },
      });
    }
    return existing;
  }
  const rs = newReplicaSet(ctx, replicas);
  try {
    return await deps.writer.createReplicaSet(ctx.namespace, rs);
  } catch (err) {
    // Already there (a cache that has not seen our own create yet): the deterministic name means it is ours.
    if (apiStatus(err) === 409) return rs;
    if (apiStatus(err) === 422 || apiStatus(err) === 400) {
      throw new RampError(
        "ReplicaSetRejected",
        `spec.template: the apiserver rejected the ReplicaSet: ${messageOf(err)}`,
        { cause: err },
      );
    }
    throw err;
  }
}

const messageOf = (err: unknown): string => {
  if (err && typeof err === "object" && "body" in err) {
    const body: unknown = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
    if (body && typeof body === "object" && "message" in body) return String(body.message);
  }
  return err instanceof Error ? err.message : String(err);
};

/** Scales each ReplicaSet whose spec differs from the wanted count. */
export async function scaleTo(
  ctx: RolloutContext,
  deps: Deps,
  wanted: (readonly [V1ReplicaSet | undefined, number])[],
): Promise<void> {
  for (const [rs, count] of wanted) {
    const name = rs?.metadata?.name;
    if (!rs || !name || specReplicas(rs) === count) continue;
    await deps.writer.patchReplicaSet(ctx.namespace, name, { spec: { replicas: count } });
  }
}

/** Points a Service at one version by adding the hash to its selector; the rest of it stays the user's. */
export async function pinService(
  ctx: RolloutContext,
  deps: Deps,
  service: string | undefined,
  hash: string | undefined,
): Promise<void> {
  if (!service || !hash) return;
  const svc = deps.caches.service(ctx.namespace, service);
  if (!svc)
    throw new RampError(
      "ServiceNotFound",
      `Service "${service}" does not exist in namespace "${ctx.namespace}"`,
    );
  if (svc.spec?.selector?.[HASH_LABEL] === hash) return;
  await deps.writer.patchService(ctx.namespace, service, { spec: { selector: { [HASH_LABEL]: hash } } });
}

/** Deletes versions at zero beyond revisionHistoryLimit. */
export async function pruneHistory(ctx: RolloutContext, deps: Deps): Promise<void> {
  for (const rs of beyondHistory(ctx.versions.others, ctx.rollout.spec.revisionHistoryLimit)) {
    if (rs.metadata?.name) await deps.writer.deleteReplicaSet(ctx.namespace, rs.metadata.name);
  }
}
