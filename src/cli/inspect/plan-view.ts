// What `kubectl ramp plan NAME` shows: the controller's next writes in the order it makes them, each with
// what it changes, then the status fields that change, the Events and when the controller looks again.
import type { RolloutContext } from "../../core/context.ts";
import type { ReplicaSetWrite, RolloutPlan, ServicePin } from "../../core/plan.ts";
import { assembleStatus } from "../../core/status.ts";
import { mergePatchDiff } from "../../kube/merge-patch.ts";
import type { RouteWrite } from "../../traffic/ports.ts";

export type PlannedWrite = { object: string; change: string; why: string };

/** The plan as a person reads it, and as `-o json` prints it. */
export type PlanView = {
  rollout: string;
  message: string;
  phase: string;
  writes: PlannedWrite[];
  /** The status fields this reconcile changes (a JSON merge patch: null removes a field). */
  status: Record<string, unknown>;
  events: { type: string; reason: string; message: string }[];
  /** Milliseconds until the controller reconciles again on its own (a pause or delay ends), if any. */
  requeueAfterMs: number | null;
  /** The plan needs the pods listed (a restart is due); they were listed for this view. */
  listedPods: boolean;
};

const pinWrite = (p: ServicePin, why: string): PlannedWrite => ({
  object: `Service "${p.name}"`,
  change: `selector → version ${p.hash}${p.from ? ` (was ${p.from})` : ""}`,
  why,
});

function routeWrite(w: RouteWrite): PlannedWrite {
  if (w.op === "delete")
    return {
      object: `${w.ref.kind} "${w.ref.name}"`,
      change: "delete",
      why: "no rollout in flight: ramp's canary Ingress goes",
    };
  if (w.op === "apply")
    return {
      object: `${w.object.kind} "${w.object.metadata.name}"`,
      change: "apply (server-side)",
      why: "the canary Ingress for this step",
    };
  const changes = w.ops
    .filter((o) => o.op !== "test")
    .map((o) => `${o.op} ${o.path}${"value" in o ? ` = ${JSON.stringify(o.value)}` : ""}`);
  return {
    object: `${w.ref.kind} "${w.ref.name}"`,
    change: changes.join("; "),
    why: "the routes this step asks for (guarded by test ops)",
  };
}

function replicaSetWrite(w: ReplicaSetWrite): PlannedWrite {
  switch (w.op) {
    case "create":
      return {
        object: `ReplicaSet "${w.replicaSet.metadata?.name}"`,
        change: `create with ${w.replicaSet.spec?.replicas ?? 0} replicas`,
        why: "the version the spec asks for has no ReplicaSet yet",
      };
    case "adopt":
      return {
        object: `ReplicaSet "${w.name}"`,
        change: "set the Rollout as its controller owner",
        why: "labelled for this Rollout and owned by no controller (left by kubectl ramp migrate)",
      };
    case "scale":
      return {
        object: `ReplicaSet "${w.name}"`,
        change: `scale ${w.from} → ${w.replicas}`,
        why: "pods for this step, within maxSurge/maxUnavailable",
      };
    case "annotate":
      return {
        object: `ReplicaSet "${w.name}"`,
        change: Object.entries(w.annotations)
          .map(([k, v]) => (v === null ? `remove ${k}` : `${k}=${v}`))
          .join(", "),
        why: "a deadline or revision kept as data on the ReplicaSet",
      };
    case "delete":
      return { object: `ReplicaSet "${w.name}"`, change: "delete", why: "beyond revisionHistoryLimit" };
    case "roleMetadata": {
      const keys = [...Object.entries(w.labels), ...Object.entries(w.annotations)];
      return {
        object: `ReplicaSet "${w.name}" and its pods`,
        change: keys.map(([k, v]) => (v === null ? `remove ${k}` : `${k}=${v}`)).join(", "),
        why: "its version's role changed: the role's metadata, patched in place (no pod restarts)",
      };
    }
  }
}

export function planView(ctx: RolloutContext, plan: RolloutPlan, listedPods: boolean): PlanView {
  const o = plan.outcome;
  const status = assembleStatus(ctx, o);
  const writes: PlannedWrite[] = [
    ...plan.servicesFirst.map((p) =>
      pinWrite(p, "to the version at full scale, before the routes send it everything"),
    ),
    ...plan.routes.map(routeWrite),
    ...plan.services.map((p) => pinWrite(p, "after the routes took traffic off it")),
    ...plan.replicaSets.map(replicaSetWrite),
    ...(plan.workloadScale
      ? [
          {
            object: `Deployment "${plan.workloadScale.name}"`,
            change: `scale ${plan.workloadScale.from} → ${plan.workloadScale.replicas}`,
            why: `spec.workloadRef.scaleDown: ${ctx.rollout.spec.workloadRef?.scaleDown}`,
          },
        ]
      : []),
    ...plan.analysis.create.map((r) => ({
      object: `AnalysisRun "${r.metadata.name}"`,
      change: `create (metrics: ${r.spec.metrics.map((m) => m.name).join(", ")})`,
      why: "this step's or the background analysis",
    })),
    ...plan.analysis.terminate.map((n) => ({
      object: `AnalysisRun "${n}"`,
      change: "terminate",
      why: "no longer wanted by the rollout",
    })),
    ...plan.analysis.delete.map((n) => ({
      object: `AnalysisRun "${n}"`,
      change: "delete",
      why: "beyond the run history limits",
    })),
    ...plan.podDeletes.map((n) => ({
      object: `Pod "${n}"`,
      change: "delete",
      why: "spec.restartAt: replaced by its ReplicaSet",
    })),
  ];
  return {
    rollout: ctx.key,
    message: o.health.message,
    phase: String(status.phase ?? ""),
    writes,
    status: mergePatchDiff(ctx.status as Record<string, unknown>, status as Record<string, unknown>),
    events: o.records,
    requeueAfterMs: o.requeueAfterMs ?? null,
    listedPods,
  };
}

/** The text form: the message, the numbered writes, the status changes, the Events, the next look. */
export function renderPlanView(v: PlanView): string[] {
  const lines = [`Rollout ${v.rollout}: ${v.phase}`, `  ${v.message}`, ""];
  if (v.writes.length === 0) lines.push("Writes: none (the cluster already shows what this step asks)");
  else {
    lines.push("Writes, in the order the controller makes them:");
    for (const [i, w] of v.writes.entries())
      lines.push(`  ${i + 1}. ${w.object}: ${w.change}`, `     why: ${w.why}`);
  }
  const changed = Object.keys(v.status).filter((k) => k !== "conditions");
  lines.push("", changed.length === 0 ? "Status: unchanged" : `Status changes: ${changed.join(", ")}`);
  for (const e of v.events) lines.push(`Event ${e.type} ${e.reason}: ${e.message}`);
  if (v.requeueAfterMs !== null)
    lines.push(`Next look without any change: in ${Math.ceil(v.requeueAfterMs / 1000)}s`);
  return lines;
}
