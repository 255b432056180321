// The one place a reconcile writes the world, in the one safe order: Services moving to a version that has
// its pods, then routes, then Services traffic has left, then ReplicaSets (so no pod goes before traffic
// has left it and stable is back before the canary goes), then analysis, then pods. The status follows,
// written by the Reconciler: a crash anywhere before it replays this plan, and every write is idempotent.
import { EPHEMERAL_ANNOTATION, HASH_LABEL } from "../api/labels.ts";
import type { ReplicaSetWrite, RolloutPlan, ServicePin } from "../core/plan.ts";
import type { Deps } from "../core/ports.ts";
import { RampError } from "../errors.ts";
import { writeRoute } from "../traffic/ports.ts";

const apiStatus = (err: unknown): number | undefined =>
  err && typeof err === "object" && "code" in err && typeof err.code === "number" ? err.code : undefined;

const messageOf = (err: unknown): string => {
  if (err && typeof err === "object" && "body" in err) {
    const body: unknown = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
    if (body && typeof body === "object" && "message" in body) return String(body.message);
  }
  return err instanceof Error ? err.message : String(err);
};

export async function apply(namespace: string, plan: RolloutPlan, deps: Deps): Promise<void> {
  await pinAll(namespace, plan.servicesFirst, deps);
  for (const w of plan.routes) await writeRoute(deps.writer, w);
  await pinAll(namespace, plan.services, deps);
  for (const w of plan.replicaSets) await writeReplicaSet(namespace, w, deps);
  const scale = plan.workloadScale;
  if (scale) await deps.writer.scaleDeployment(namespace, scale.name, scale.replicas);
  for (const run of plan.analysis.create) await deps.writer.createAnalysisRun(namespace, run);
  for (const name of plan.analysis.terminate)
    await deps.writer.patchAnalysisRun(namespace, name, { spec: { terminate: true } });
  for (const name of plan.analysis.delete) await deps.writer.deleteAnalysisRun(namespace, name);
  if (plan.podDeletes.length > 0) deps.log.info({ pods: plan.podDeletes }, "restarting pods");
  for (const name of plan.podDeletes) await deps.pods.delete(namespace, name);
}

async function pinAll(namespace: string, pins: ServicePin[], deps: Deps): Promise<void> {
  for (const p of pins)
    await deps.writer.patchService(namespace, p.name, { spec: { selector: { [HASH_LABEL]: p.hash } } });
}

async function writeReplicaSet(namespace: string, w: ReplicaSetWrite, deps: Deps): Promise<void> {
  switch (w.op) {
    case "create":
      return createReplicaSet(namespace, w, deps);
    case "scale":
      return deps.writer.patchReplicaSet(namespace, w.name, { spec: { replicas: w.replicas } });
    case "annotate":
      return deps.writer.patchReplicaSet(namespace, w.name, { metadata: { annotations: w.annotations } });
    case "delete":
      return deps.writer.deleteReplicaSet(namespace, w.name);
    case "roleMetadata":
      return roleMetadata(namespace, w, deps);
    case "adopt":
      // The uid makes the patch fail on a ReplicaSet deleted and recreated under the same name meanwhile.
      return deps.writer.patchReplicaSet(namespace, w.name, {
        metadata: { uid: w.uid, ownerReferences: [w.owner] },
      });
  }
}

/** Template first (new pods are born right), then the running pods, then the record that says it is done. */
async function roleMetadata(
  namespace: string,
  w: Extract<ReplicaSetWrite, { op: "roleMetadata" }>,
  deps: Deps,
): Promise<void> {
  const metadata = {
    ...(Object.keys(w.labels).length > 0 ? { labels: w.labels } : {}),
    ...(Object.keys(w.annotations).length > 0 ? { annotations: w.annotations } : {}),
  };
  await deps.writer.patchReplicaSet(namespace, w.name, { spec: { template: { metadata } } });
  const selector = Object.entries(w.selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = await deps.pods.list(namespace, selector);
  for (const p of pods) {
    const mine = p.metadata?.ownerReferences?.some((o) => o.uid === w.uid);
    if (mine && p.metadata?.name && !p.metadata.deletionTimestamp)
      await deps.pods.patchMetadata(namespace, p.metadata.name, metadata);
  }
  await deps.writer.patchReplicaSet(namespace, w.name, {
    metadata: { annotations: { [EPHEMERAL_ANNOTATION]: w.record } },
  });
}

async function createReplicaSet(
  namespace: string,
  w: Extract<ReplicaSetWrite, { op: "create" }>,
  deps: Deps,
): Promise<void> {
  try {
    await deps.writer.createReplicaSet(namespace, w.replicaSet);
  } catch (err) {
    // Already there (a cache that has not seen our own create yet): the deterministic name means it is ours.
    if (apiStatus(err) === 409) return;
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
