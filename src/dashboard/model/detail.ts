// RolloutDetail from the raw objects of one Rollout: steps, versions, analysis, conditions, events, and which
// actions this viewer may use now. Pure: the server fetches, this only shapes.

import { explainedJudgement } from "../../analysis/judge/explained.ts";
import { parseDuration } from "../../api/duration.ts";
import { HASH_LABEL, REVISION_ANNOTATION } from "../../api/labels.ts";
import {
  type AnalysisRunView,
  DASHBOARD_ACTIONS,
  type DashboardAction,
  type EventView,
  type Permission,
  type PodView,
  type RolloutDetail,
  type RouterView,
  type StepView,
  type VersionView,
} from "../contract.ts";
import type { RawAnalysisRun, RawEvent, RawPod, RawReplicaSet, RawRollout, RawStep } from "./raw.ts";
import { imagesOf, rolloutSummary } from "./summary.ts";

export type DetailInput = {
  rollout: RawRollout;
  replicaSets: RawReplicaSet[];
  pods: RawPod[];
  analysisRuns: RawAnalysisRun[];
  events: RawEvent[];
  routers: RouterView[];
  /** The apiserver's answer per action (SubjectAccessReview), with the RBAC rule named when denied. */
  permissions: Record<DashboardAction, Permission>;
};

export function describeStep(s: RawStep): string {
  if (s.setWeight !== undefined) return `setWeight ${s.setWeight}`;
  if (s.pause) return s.pause.duration === undefined ? "pause (until promoted)" : `pause ${s.pause.duration}`;
  if (s.analysis) {
    const names = (s.analysis.templates ?? []).map((t) => t.templateName ?? "").join(", ");
    return `analysis: ${names}`;
  }
  if (s.setCanaryScale) {
    const c = s.setCanaryScale;
    if (c.matchTrafficWeight) return "setCanaryScale matchTrafficWeight";
    return c.replicas !== undefined
      ? `setCanaryScale ${c.replicas} pods`
      : `setCanaryScale ${c.weight ?? 0}%`;
  }
  if (s.setHeaderRoute) return `setHeaderRoute ${s.setHeaderRoute.name ?? ""}`;
  if (s.setMirrorRoute)
    return `setMirrorRoute ${s.setMirrorRoute.name ?? ""} ${s.setMirrorRoute.percentage ?? 100}%`;
  return "unknown step";
}

// Time is data: a timed pause ends at status.pauseStartTime + its duration, whoever looks.
function pauseEnd(step: RawStep, startedAt: string | undefined): string | undefined {
  const d = step.pause?.duration;
  if (d === undefined || startedAt === undefined) return undefined;
  const start = Date.parse(startedAt);
  if (Number.isNaN(start)) return undefined;
  try {
    return new Date(start + parseDuration(d, "pause.duration")).toISOString();
  } catch {
    return undefined;
  }
}

export function stepViews(r: RawRollout): StepView[] {
  const steps = r.spec?.strategy?.canary?.steps ?? [];
  const current = r.status?.currentStepIndex ?? 0;
  return steps.map((s, index) => {
    const state = index < current ? "done" : index === current ? "current" : "next";
    const endsAt = state === "current" ? pauseEnd(s, r.status?.pauseStartTime) : undefined;
    return { index, describe: describeStep(s), state, endsAt };
  });
}

function podView(p: RawPod): PodView {
  const ready = (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  const restarts = (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  return { name: p.metadata?.name ?? "", ready, phase: p.status?.phase ?? "Unknown", restarts };
}

export function versionViews(r: RawRollout, replicaSets: RawReplicaSet[], pods: RawPod[]): VersionView[] {
  const blueGreen = r.spec?.strategy?.blueGreen !== undefined;
  const { stableRS, currentPodHash } = r.status ?? {};
  const views = replicaSets.map((rs): VersionView => {
    const hash = rs.metadata?.labels?.[HASH_LABEL] ?? "";
    const role =
      hash === stableRS
        ? blueGreen
          ? "active"
          : "stable"
        : hash === currentPodHash
          ? blueGreen
            ? "preview"
            : "canary"
          : "old";
    return {
      replicaSet: rs.metadata?.name ?? "",
      hash,
      revision: Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0),
      role,
      images: imagesOf(rs.spec?.template),
      replicas: rs.status?.replicas ?? 0,
      readyReplicas: rs.status?.readyReplicas ?? 0,
      pods: pods.filter((p) => hash !== "" && p.metadata?.labels?.[HASH_LABEL] === hash).map(podView),
    };
  });
  return views.sort((a, b) => b.revision - a.revision);
}

/** An AnalysisRun as shown: a Secret arg is its reference, never its value (even one wrongly set too). */
export function analysisRunView(run: RawAnalysisRun): AnalysisRunView {
  const results = run.status?.metricResults ?? [];
  const specMetrics = run.spec?.metrics ?? [];
  const names = [...specMetrics.map((m) => m.name ?? ""), ...results.map((m) => m.name ?? "")];
  const metrics = [...new Set(names)].map((name) => {
    const spec = specMetrics.find((m) => m.name === name);
    const result = results.find((m) => m.name === name);
    const done = (result?.measurements ?? []).filter((m) => m.phase !== "Running").at(-1);
    const judgement = done && explainedJudgement(done.value, done.message);
    return {
      ...(judgement ? { judgement } : {}),
      name,
      phase: result?.phase ?? "Pending",
      successCondition: spec?.successCondition,
      failureCondition: spec?.failureCondition,
      measurements: (result?.measurements ?? []).map((m) => ({
        at: m.finishedAt ?? m.startedAt ?? "",
        value: m.value,
        phase: m.phase ?? "",
        message: m.message,
      })),
    };
  });
  const args = (run.spec?.args ?? []).map((a) => {
    const secret = a.valueFrom?.secretKeyRef;
    if (secret) return { name: a.name ?? "", from: `secret:${secret.name ?? ""}/${secret.key ?? ""}` };
    const field = a.valueFrom?.fieldRef?.fieldPath;
    if (field) return { name: a.name ?? "", from: `field:${field}` };
    return { name: a.name ?? "", value: a.value };
  });
  return {
    name: run.metadata?.name ?? "",
    phase: run.status?.phase ?? "Pending",
    message: run.status?.message,
    startedAt: run.status?.startedAt ?? run.metadata?.creationTimestamp,
    metrics,
    args,
  };
}

function eventView(e: RawEvent): EventView {
  return {
    type: e.type ?? "Normal",
    reason: e.reason ?? "",
    message: e.message ?? "",
    count: e.series?.count ?? e.count ?? 1,
    lastSeen:
      e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? "",
  };
}

/** Why an action makes no sense in the Rollout's state now (the plugin would refuse it), else undefined. */
export function actionNonsense(
  r: RawRollout,
  action: DashboardAction,
  versions: VersionView[],
): string | undefined {
  const s = r.status ?? {};
  const machine = s.machine?.value;
  const inProgress = machine !== undefined && machine !== "Completed" && s.stableRS !== s.currentPodHash;
  const aborted = inProgress && machine === "Aborted";
  const userPaused = inProgress && s.machine?.context?.userPaused === true;
  const workload = r.spec?.workloadRef?.name;
  switch (action) {
    case "promote":
    case "promoteFull":
    case "abort":
    case "pause":
      if (!inProgress) return "no rollout in progress";
      if (aborted) return action === "abort" ? "already aborted" : "aborted: retry first";
      if (action === "pause" && userPaused) return "already paused";
      return undefined;
    case "retry":
      return aborted ? undefined : "not aborted";
    case "resume":
      if (userPaused) return undefined;
      return r.spec?.paused ? "paused in Git (spec.paused): change it there" : "not paused by a user";
    case "undo":
      if (workload) return `runs Deployment "${workload}"'s template: undo the Deployment`;
      return versions.some((v) => v.hash !== s.currentPodHash) ? undefined : "no previous revision";
    case "restart":
      return undefined;
  }
}

export function rolloutDetail(input: DetailInput): RolloutDetail {
  const { rollout: r } = input;
  const versions = versionViews(r, input.replicaSets, input.pods);
  const actions = {} as Record<DashboardAction, Permission>;
  for (const action of DASHBOARD_ACTIONS) {
    const allowed = input.permissions[action];
    const nonsense = allowed.allowed ? actionNonsense(r, action, versions) : undefined;
    actions[action] = !allowed.allowed
      ? allowed
      : nonsense
        ? { allowed: false, reason: nonsense }
        : { allowed: true };
  }
  const runs = [...input.analysisRuns].sort((a, b) =>
    (b.metadata?.creationTimestamp ?? "").localeCompare(a.metadata?.creationTimestamp ?? ""),
  );
  const events = input.events.map(eventView).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  return {
    ...rolloutSummary(r, input.replicaSets),
    steps: stepViews(r),
    versions,
    routers: input.routers,
    analysisRuns: runs.map(analysisRunView),
    conditions: (r.status?.conditions ?? []).map((c) => ({
      type: c.type ?? "",
      status: c.status ?? "Unknown",
      reason: c.reason ?? "",
      message: c.message ?? "",
      lastTransitionTime: c.lastTransitionTime ?? "",
    })),
    events,
    actions,
  };
}
