// Phase and conditions: Kubernetes conventions plus kstatus (Ready, Reconciling, Stalled) for Flux.
import type { Condition, Phase } from "../api/index.ts";
import type { ErrorCode } from "../errors.ts";

/** Everything the phase depends on, as the reconcile observed it. */
export type Health = {
  /** A spec or reference problem stops progress until the spec is fixed. */
  invalid?: { reason: ErrorCode; message: string } | undefined;
  aborted?: { reason: string; message: string } | undefined;
  paused?:
    | { reason: "PausedStep" | "PausedByUser" | "PausedInGit" | "InconclusiveAnalysis"; message: string }
    | undefined;
  deadlineExceeded: boolean;
  /** A new version is being shipped (steps, promotion). */
  rollingOut: boolean;
  /** Every pod of the stable version is available and no other version has pods. */
  settled: boolean;
  available: boolean;
  message: string;
  /** With spec.workloadRef: the HPAs that still target its Deployment (none: no conflict). */
  workload?: { autoscalers: string[]; deployment: string } | undefined;
};

type Want = { type: string; status: "True" | "False"; reason: string; message: string };

export function phaseOf(h: Health): Phase {
  if (h.invalid || h.aborted || h.deadlineExceeded) return "Degraded";
  if (h.paused) return "Paused";
  if (h.rollingOut || !h.settled) return "Progressing";
  return "Healthy";
}

/** The conditions for a health; the reasons are stable codes. */
export function wantedConditions(h: Health): Want[] {
  const phase = phaseOf(h);
  const stall =
    h.invalid ??
    h.aborted ??
    (h.deadlineExceeded ? { reason: "ProgressDeadlineExceeded", message: h.message } : undefined);
  const out: Want[] = [
    {
      type: "Ready",
      status: phase === "Healthy" ? "True" : "False",
      reason: phase === "Healthy" ? "Healthy" : (stall?.reason ?? phase),
      message: h.message,
    },
    {
      type: "Reconciling",
      status: phase === "Progressing" || phase === "Paused" ? "True" : "False",
      reason:
        phase === "Paused" ? (h.paused?.reason ?? "Paused") : phase === "Progressing" ? "RollingOut" : phase,
      message: h.message,
    },
    {
      type: "Stalled",
      status: stall ? "True" : "False",
      reason: stall?.reason ?? "AsExpected",
      message: stall?.message ?? "",
    },
    {
      type: "Progressing",
      status: h.deadlineExceeded || h.invalid ? "False" : "True",
      reason: h.invalid
        ? h.invalid.reason
        : h.deadlineExceeded
          ? "ProgressDeadlineExceeded"
          : h.rollingOut
            ? "ReplicaSetUpdated"
            : "NewReplicaSetAvailable",
      message: h.message,
    },
    {
      type: "Paused",
      status: h.paused ? "True" : "False",
      reason: h.paused?.reason ?? "NotPaused",
      message: h.paused?.message ?? "",
    },
    {
      type: "Available",
      status: h.available ? "True" : "False",
      reason: h.available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
      message: "",
    },
    {
      type: "Aborted",
      status: h.aborted ? "True" : "False",
      reason: h.aborted?.reason ?? "NotAborted",
      message: h.aborted?.message ?? "",
    },
  ];
  if (h.workload) out.push(autoscalerCondition(h.workload));
  return out;
}

/** Only on a Rollout with workloadRef: an HPA still aimed at its Deployment is reported, never fought. */
function autoscalerCondition(w: NonNullable<Health["workload"]>): Want {
  if (w.autoscalers.length === 0)
    return { type: "AutoscalerConflict", status: "False", reason: "NoConflict", message: "" };
  const names = w.autoscalers.map((n) => `"${n}"`).join(", ");
  return {
    type: "AutoscalerConflict",
    status: "True",
    reason: "HPATargetsDeployment",
    message:
      `HorizontalPodAutoscaler ${names} targets Deployment "${w.deployment}", whose pods the Rollout replaces: ` +
      "set its scaleTargetRef to apiVersion ramp.dev/v1alpha1, kind Rollout; until then ramp leaves the " +
      "Deployment's replicas alone",
  };
}

/** Merges wanted conditions into the previous ones, keeping lastTransitionTime when status is unchanged. */
export function mergeConditions(
  prev: Condition[] | undefined,
  wanted: Want[],
  now: string,
  generation: number | undefined,
): Condition[] {
  return wanted.map((w) => {
    const old = prev?.find((c) => c.type === w.type);
    const since = old && old.status === w.status ? old.lastTransitionTime : now;
    return {
      type: w.type,
      status: w.status,
      reason: w.reason,
      message: w.message.slice(0, 32768),
      lastTransitionTime: since,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
  });
}
