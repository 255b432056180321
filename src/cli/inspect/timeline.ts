// The whole timeline a Rollout's spec implies (`kubectl ramp plan`): each step or phase with its weights, pod
// counts, what ends it and how long it takes at least. Pure: it answers with the controller's own functions
// (weights, canary scale, pod counts, pauses), never its own arithmetic, so the plan cannot drift from what
// the controller does. Where the Rollout and its templates come from (files or a cluster) is the caller's.
import type { BlueGreenStrategy, CanaryStrategy, RolloutManifest as Rollout } from "../../api/index.ts";
import { desiredCounts, surgeLimits } from "../../core/replicas.ts";
import { DEFAULT_DELAY_S } from "../../strategy/bluegreen/plan.ts";
import { describeStep } from "../../strategy/canary/describe.ts";
import { canaryScaleAt, pauseMs, stepKind, weightAt } from "../../strategy/canary/steps.ts";
import { SCALE_DOWN_DELAY_ROUTED_S } from "../../strategy/shared/scale-down.ts";
import { type AnalysisPlan, analysisPlan, type TemplateLookup } from "./analysis-plan.ts";
import { exactDuration } from "./format.ts";

export type { AnalysisPlan, MetricPlan, TemplateLookup } from "./analysis-plan.ts";

/**
 * What ends an entry: pods (once they are available, no fixed time), time (a timed pause or automatic
 * promotion), analysis (a bounded analysis succeeds), promote (a person), unknown (a template is missing).
 */
export type Until = "pods" | "time" | "analysis" | "promote" | "unknown";

export type TimelineEntry = {
  /** The index in spec.strategy.canary.steps; null for a phase that is no step. */
  index: number | null;
  kind: string;
  description: string;
  /** Canary and stable weight out of total; blue-green: the new and the old version's share of the active Service. */
  weight: { canary: number; stable: number; total: number };
  /** Pods of the new version (canary, preview) and of the old one (stable, active). */
  pods: { canary: number; stable: number };
  until: Until;
  /** The least time the entry adds to the rollout; null when a person or an unknown template decides. */
  seconds: number | null;
  ends: string;
  analysis: AnalysisPlan | null;
  /** Canary: the background analysis runs during this entry. */
  background: boolean;
};

export type RolloutTimeline = {
  name: string;
  namespace: string | null;
  strategy: "canary" | "blueGreen";
  replicas: number;
  /** The configured routers (gatewayAPI, nginx, istio); empty: pods carry the split. */
  trafficRouting: string[];
  dynamicStableScale: boolean;
  timeline: TimelineEntry[];
  background: AnalysisPlan | null;
  /** What happens to the old version once the rollout is complete; not counted in `total`. */
  afterCompletion: { scaleDownDelaySeconds: number; description: string };
  total: { seconds: number; waitsForPerson: boolean; unknown: boolean; description: string };
};

const ROUTERS = ["gatewayAPI", "nginx", "istio"] as const;

const promoteCommand = (name: string) => `\`kubectl ramp promote ${name}\``;

/** An analysis entry's until/seconds: a bounded analysis takes its time; an unbounded one needs a person. */
function analysisTiming(a: AnalysisPlan): Pick<TimelineEntry, "until" | "seconds" | "ends"> {
  const until: Until =
    a.duration === "known" ? "analysis" : a.duration === "unbounded" ? "promote" : "unknown";
  return { until, seconds: a.seconds, ends: a.ends };
}

function canaryTimeline(
  rollout: Rollout,
  spec: CanaryStrategy,
  lookup: TemplateLookup,
): Pick<RolloutTimeline, "timeline" | "background" | "afterCompletion"> {
  const name = rollout.metadata.name;
  const replicas = rollout.spec.replicas;
  const steps = spec.steps ?? [];
  const routed = spec.trafficRouting !== undefined;
  const total = routed ? (spec.trafficRouting?.maxTrafficWeight ?? 100) : 100;
  const { surge } = surgeLimits(replicas, spec.maxSurge, spec.maxUnavailable);
  const startingStep = spec.analysis?.startingStep ?? 0;
  const at = (index: number) => {
    const weight = weightAt(steps, index, total);
    const pods = desiredCounts({
      replicas,
      // With routers the pods follow the weight's share of total (strategy/canary/traffic.ts percentOf).
      weight: (weight * 100) / total,
      scale: canaryScaleAt(steps, index),
      trafficRouted: routed,
      dynamicStableScale: spec.dynamicStableScale,
      minPods: spec.minPodsPerReplicaSet,
      surge,
    });
    return {
      weight: { canary: weight, stable: total - weight, total },
      pods: { canary: pods.canary, stable: pods.stable },
      background: spec.analysis !== undefined && index >= startingStep,
    };
  };
  const podsReady = routed
    ? "once its pods are available and every route shows it"
    : "once its pods are available";
  const timeline: TimelineEntry[] = steps.map((step, index) => {
    const kind = stepKind(step);
    const base = { index, kind, description: describeStep(step), ...at(index), analysis: null };
    if (kind === "pause") {
      const ms = pauseMs(step, index);
      return ms === undefined
        ? { ...base, until: "promote", seconds: null, ends: `until ${promoteCommand(name)}` }
        : { ...base, until: "time", seconds: ms / 1000, ends: `after ${exactDuration(ms / 1000)}` };
    }
    if (kind === "analysis" && step.analysis) {
      const analysis = analysisPlan(step.analysis, lookup, "step", name);
      return { ...base, analysis, ...analysisTiming(analysis) };
    }
    return { ...base, until: "pods", seconds: 0, ends: podsReady };
  });
  timeline.push({
    index: null,
    kind: "promotion",
    description: "all steps done: promotion to 100%",
    ...at(steps.length),
    analysis: null,
    until: "pods",
    seconds: 0,
    ends: "once every pod of the new version is available",
  });
  const delay = routed ? (spec.scaleDownDelaySeconds ?? SCALE_DOWN_DELAY_ROUTED_S) : 0;
  return {
    timeline,
    background: spec.analysis ? analysisPlan(spec.analysis, lookup, "background", name) : null,
    afterCompletion: {
      scaleDownDelaySeconds: delay,
      description: routed
        ? `the old stable version keeps its pods ${exactDuration(delay)} after the rollout completes (scaleDownDelaySeconds), then goes to 0`
        : "the old stable version is at 0 pods once the new version has them all",
    },
  };
}

/** A blue-green analysis gate as an entry: the versions stay as they are until it ends. */
function gateEntry(
  kind: "prePromotionAnalysis" | "postPromotionAnalysis",
  analysis: AnalysisPlan,
  shape: Pick<TimelineEntry, "weight" | "pods">,
): TimelineEntry {
  const templates = analysis.templates.map((t) => t.name).join(", ");
  return {
    index: null,
    kind,
    description: `${kind} ${templates}`,
    ...shape,
    ...analysisTiming(analysis),
    analysis,
    background: false,
  };
}

function blueGreenTimeline(
  rollout: Rollout,
  spec: BlueGreenStrategy,
  lookup: TemplateLookup,
): Pick<RolloutTimeline, "timeline" | "background" | "afterCompletion"> {
  const name = rollout.metadata.name;
  const replicas = rollout.spec.replicas;
  // The preview never has more pods than spec.replicas (strategy/bluegreen/reconcile.ts previewCount).
  const preview = Math.min(spec.previewReplicaCount ?? replicas, replicas);
  const before = {
    weight: { canary: 0, stable: 100, total: 100 },
    pods: { canary: preview, stable: replicas },
  };
  const after = {
    weight: { canary: 100, stable: 0, total: 100 },
    pods: { canary: replicas, stable: replicas },
  };
  const entry = { analysis: null, background: false };
  const timeline: TimelineEntry[] = [
    {
      index: null,
      kind: "preview",
      description: `preview: ${preview} pods of the new version${spec.previewService ? ` behind ${spec.previewService}` : ""}; ${spec.activeService} stays on the old one`,
      ...before,
      ...entry,
      until: "pods",
      seconds: 0,
      ends: "once the preview pods are available",
    },
  ];
  const pre =
    spec.prePromotionAnalysis && analysisPlan(spec.prePromotionAnalysis, lookup, "prePromotion", name);
  if (pre) timeline.push(gateEntry("prePromotionAnalysis", pre, before));
  timeline.push({
    index: null,
    kind: "promotion",
    description: spec.autoPromotionEnabled
      ? `automatic promotion${spec.autoPromotionSeconds ? ` ${exactDuration(spec.autoPromotionSeconds)} after the preview is available` : ""}`
      : "promotion by a person (autoPromotionEnabled: false)",
    ...before,
    ...entry,
    ...promotionTiming(spec, pre, name),
  });
  timeline.push({
    index: null,
    kind: "switch",
    description: `scale the new version to ${replicas} pods, then switch ${spec.activeService} to it`,
    ...after,
    ...entry,
    until: "pods",
    seconds: 0,
    ends: `once all ${replicas} pods of the new version are available`,
  });
  const post =
    spec.postPromotionAnalysis && analysisPlan(spec.postPromotionAnalysis, lookup, "postPromotion", name);
  if (post) timeline.push(gateEntry("postPromotionAnalysis", post, after));
  const delay = spec.scaleDownDelaySeconds ?? DEFAULT_DELAY_S;
  return {
    timeline,
    background: null,
    afterCompletion: {
      scaleDownDelaySeconds: delay,
      description: `the old version goes to 0 pods ${exactDuration(delay)} after the switch (scaleDownDelaySeconds), not before the rollout completes`,
    },
  };
}

/** The gate: a person, or autoPromotionSeconds counted from when the preview was available. */
function promotionTiming(
  spec: BlueGreenStrategy,
  pre: AnalysisPlan | undefined,
  name: string,
): Pick<TimelineEntry, "until" | "seconds" | "ends"> {
  if (!spec.autoPromotionEnabled)
    return { until: "promote", seconds: null, ends: `until ${promoteCommand(name)}` };
  const wait = spec.autoPromotionSeconds ?? 0;
  if (wait === 0) return { until: "time", seconds: 0, ends: "at once" };
  // The pre-promotion analysis runs inside the same wait (the clock starts when the preview is available).
  const left = Math.max(0, wait - (pre?.seconds ?? 0));
  return {
    until: "time",
    seconds: left,
    ends: `${exactDuration(wait)} after the preview is available${pre ? ` (${exactDuration(left)} after the analysis at the earliest)` : ""}`,
  };
}

/** The entry with its keys in the documented order, whatever order the spreads above left them in. */
const ordered = (e: TimelineEntry): TimelineEntry => ({
  index: e.index,
  kind: e.kind,
  description: e.description,
  weight: e.weight,
  pods: e.pods,
  until: e.until,
  seconds: e.seconds,
  ends: e.ends,
  analysis: e.analysis,
  background: e.background,
});

function totalOf(timeline: TimelineEntry[]): RolloutTimeline["total"] {
  const seconds = timeline.reduce((sum, e) => sum + (e.seconds ?? 0), 0);
  const waitsForPerson = timeline.some((e) => e.until === "promote");
  const unknown = timeline.some((e) => e.until === "unknown");
  const description =
    `${exactDuration(seconds)}` +
    (waitsForPerson ? " + waits for a person" : "") +
    (unknown ? " + analyses of unknown length" : "");
  return { seconds, waitsForPerson, unknown, description };
}

/** The plan of one Rollout, already parsed with the Rollout schema; templates come from `lookup`. */
export function rolloutTimeline(rollout: Rollout, lookup: TemplateLookup): RolloutTimeline {
  const { canary, blueGreen } = rollout.spec.strategy;
  const routing = canary?.trafficRouting;
  // Admission lets exactly one strategy through (a CRD rule, which lint checks before a plan is made).
  const parts = canary
    ? canaryTimeline(rollout, canary, lookup)
    : blueGreen
      ? blueGreenTimeline(rollout, blueGreen, lookup)
      : undefined;
  if (!parts) throw new Error("spec.strategy: set exactly one of canary or blueGreen");
  return {
    name: rollout.metadata.name,
    namespace: rollout.metadata.namespace ?? null,
    strategy: canary ? "canary" : "blueGreen",
    replicas: rollout.spec.replicas,
    trafficRouting: ROUTERS.filter((r) => routing?.[r] !== undefined),
    dynamicStableScale: canary?.dynamicStableScale ?? false,
    timeline: parts.timeline.map(ordered),
    background: parts.background,
    afterCompletion: parts.afterCompletion,
    total: totalOf(parts.timeline),
  };
}
