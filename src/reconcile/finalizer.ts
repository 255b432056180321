// The traffic-cleanup finalizer: a Rollout whose routes ramp writes carries it, so that deleting the
// Rollout first gives the user's routes back (all traffic to stable, no managed routes), then lets it go.
import { Rollout, type RolloutManifest } from "../api/index.ts";
import { TRAFFIC_FINALIZER } from "../api/labels.ts";
import { buildContext, type RolloutContext } from "../core/context.ts";
import type { Deps } from "../core/ports.ts";
import type { RecordParams } from "../core/records.ts";
import { RampError } from "../errors.ts";
import { serviceRoles } from "../strategy/canary/services.ts";
import { routersToRelease } from "../traffic/factory.ts";
import { writeRoute } from "../traffic/ports.ts";
import { inactiveTarget } from "../traffic/target.ts";

/**
 * Only Rollouts that change objects outliving them carry it: routes (trafficRouting), or a Deployment a
 * workloadRef scales down, which is scaled back up when the Rollout goes so the app keeps its pods.
 */
export const wantsFinalizer = (r: RolloutManifest): boolean =>
  r.spec.strategy.canary?.trafficRouting !== undefined ||
  (r.spec.workloadRef !== undefined && r.spec.workloadRef.scaleDown !== "never");

/** `current` with the finalizer added (`want`) or removed, other finalizers kept; undefined when unchanged. */
export function finalizersFor(current: readonly string[] | undefined, want: boolean): string[] | undefined {
  const list = current ?? [];
  if (list.includes(TRAFFIC_FINALIZER) === want) return undefined;
  return want ? [...list, TRAFFIC_FINALIZER] : list.filter((f) => f !== TRAFFIC_FINALIZER);
}

const httpStatus = (err: unknown): number | undefined =>
  err && typeof err === "object" && "code" in err && typeof err.code === "number" ? err.code : undefined;

/**
 * A failure no retry can cure: the route is gone (404) or cannot be read as the Rollout names it, or
 * the write is refused for good (400, 403). Anything else (409, a failed `test` op, 429, 5xx, a broken
 * connection) is retried with backoff.
 */
export function permanent(err: unknown): boolean {
  if (err instanceof RampError) return true;
  const code = httpStatus(err);
  return code === 400 || code === 403 || code === 404;
}

export type Release = {
  /** The objects written back (`HTTPRoute "web"`); those that already showed no rollout are not listed. */
  restored: string[];
  /** A workloadRef's Deployment scaled back up (`Deployment "web" scaled back to 3`). */
  workload?: string;
  /** Why an object could not be given back, one line each. */
  problems: string[];
};

const line = (what: string, err: unknown): string =>
  `${what}: ${err instanceof RampError ? `${err.code}: ` : ""}${err instanceof Error ? err.message : String(err)}`;

/**
 * Gives a Rollout's routes back: each router writes "no rollout in flight" (all traffic to stable, no
 * managed routes, ramp's canary Ingress deleted). DestinationRule subsets keep their hash labels, as
 * Services keep their selectors: unpinning them while both versions' pods still run would send stable
 * traffic to the canary. Throws on a transient error, after the routers before it were written.
 */
export async function releaseTraffic(ctx: RolloutContext, deps: Deps): Promise<Release> {
  const total = ctx.rollout.spec.strategy.canary?.trafficRouting?.maxTrafficWeight ?? 100;
  const canary = ctx.rollout.spec.strategy.canary;
  // With pingPong the routes weight the pair as their roles stand in status.
  const services = canary ? serviceRoles(canary, ctx.status) : undefined;
  const { routers, problems } = routersToRelease(ctx, deps.caches, services);
  const out: Release = { restored: [], problems: problems.map((e) => line("trafficRouting", e)) };
  // No hashes: nothing is pinned anew.
  const target = inactiveTarget(total, "", "");
  for (const r of routers) {
    try {
      if (r.shows(target)) continue;
      for (const w of r.plan(target)) await writeRoute(deps.writer, w);
      out.restored.push(r.describe);
    } catch (err) {
      if (!permanent(err)) throw err;
      out.problems.push(line(r.describe, err));
    }
  }
  return out;
}

/** Routes given back, then the Deployment a workloadRef scaled down scaled back to the Rollout's replicas. */
async function release(key: string, manifest: RolloutManifest, deps: Deps): Promise<Release> {
  // The template plays no part in giving things back: a Deployment already gone must not block deletion.
  const template = manifest.spec.template ?? { spec: {} };
  const ctx = buildContext(key, { ...manifest, spec: { ...manifest.spec, template } }, deps);
  const out = await releaseTraffic(ctx, deps);
  const ref = manifest.spec.workloadRef;
  if (!ref || ref.scaleDown === "never") return out;
  const deployment = deps.caches.deployment(ctx.namespace, ref.name);
  const replicas = manifest.spec.replicas;
  if (!deployment) {
    out.problems.push(`Deployment "${ref.name}" is gone, so it could not be scaled back to ${replicas}`);
  } else if ((deployment.spec?.replicas ?? 1) < replicas) {
    try {
      await deps.writer.scaleDeployment(ctx.namespace, ref.name, replicas);
      out.workload = `Deployment "${ref.name}" scaled back to ${replicas} replicas`;
    } catch (err) {
      if (!permanent(err)) throw err;
      out.problems.push(line(`Deployment "${ref.name}"`, err));
    }
  }
  return out;
}

/**
 * One reconcile of a Rollout being deleted that still carries the finalizer: routes given back, then the
 * finalizer removed, so the apiserver deletes it. A transient error throws (the work queue retries with
 * backoff); anything else is reported in a Warning Event and the Rollout goes anyway, so a route that is
 * gone or a spec ramp cannot read never holds a deletion forever. Returns the Events to record.
 */
export async function finalize(
  key: string,
  /** The object as cached: its spec may no longer match ramp's schema. */
  raw: { metadata?: { resourceVersion?: string; finalizers?: string[] } },
  deps: Deps,
): Promise<RecordParams[]> {
  const parsed = Rollout.safeParse(raw);
  const result: Release = parsed.success
    ? await release(key, parsed.data, deps)
    : {
        restored: [],
        problems: ["the Rollout does not match ramp's schema, so its routes are left as they are"],
      };
  const [namespace = "", name = ""] = key.split("/");
  const rest = finalizersFor(raw.metadata?.finalizers, false) ?? [];
  await deps.writer.patchRolloutFinalizers(namespace, name, raw.metadata?.resourceVersion ?? "", rest);
  const records: RecordParams[] = [];
  if (result.restored.length > 0) {
    records.push({
      type: "Normal",
      reason: "TrafficRestored",
      message: `the Rollout is deleted: all traffic back to stable, managed routes removed (${result.restored.join(", ")})`,
    });
  }
  if (result.workload) {
    records.push({
      type: "Normal",
      reason: "WorkloadRestored",
      message: `the Rollout is deleted: ${result.workload}`,
    });
  }
  if (result.problems.length > 0) {
    records.push({
      type: "Warning",
      reason: "TrafficCleanupFailed",
      message: `the Rollout is deleted, but not every route was given back: ${result.problems.join("; ")}`,
    });
  }
  return records;
}
