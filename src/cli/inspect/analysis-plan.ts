// What an analysis of a Rollout will do, read from its templates: how long it runs, what ends it and what
// its limits mean, in words. Pure; timeline.ts places it among the steps.
import { plannedCount } from "../../analysis/assess.ts";
import type { AnalysisTemplateSpec, Metric, RolloutAnalysis } from "../../api/index.ts";
import { parseDuration } from "../../api/index.ts";
import { exactDuration } from "./format.ts";

export type TemplateRef = RolloutAnalysis["templates"][number];

/** A template's spec, or why it is not known (offline: it was not in the files). */
export type TemplateLookup = (ref: TemplateRef) => AnalysisTemplateSpec | { unknown: string };

/** Where the analysis sits: what ends it and what its results do depend on it. */
export type AnalysisUse = "step" | "background" | "prePromotion" | "postPromotion";

export type MetricPlan = {
  template: string;
  name: string;
  provider: string;
  /** Measurements it takes; null: no count with an interval, it measures until the run is ended. */
  count: number | null;
  intervalSeconds: number | null;
  initialDelaySeconds: number;
  dryRun: boolean;
  /** From the run's start to its last measurement; null when it never finishes on its own. */
  seconds: number | null;
  ends: string;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  limits: string;
};

export type AnalysisPlan = {
  use: AnalysisUse;
  templates: { name: string; kind: string; found: boolean; unknown: string | null }[];
  metrics: MetricPlan[];
  /** Background analysis: the index of the step it starts at. */
  startingStep: number | null;
  /** known: it ends on its own after `seconds`; unbounded: a metric never finishes; unknown: a template is missing. */
  duration: "known" | "unbounded" | "unknown";
  seconds: number | null;
  ends: string;
  onFailure: string;
  onInconclusive: string;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const secondsOf = (value: number | string | undefined, field: string): number | undefined =>
  value === undefined ? undefined : parseDuration(value, field) / 1000;

/** The limits as the analysis applies them (src/analysis/assess.ts metricPhase): a limit is how many are tolerated. */
function limitsOf(m: Metric) {
  const failureLimit = m.failureLimit ?? 0;
  const inconclusiveLimit = m.inconclusiveLimit ?? 0;
  const consecutiveErrorLimit = m.consecutiveErrorLimit ?? 4;
  const limits =
    `fails at ${plural(failureLimit + 1, "failed measurement")}, ` +
    `inconclusive at ${plural(inconclusiveLimit + 1, "inconclusive measurement")}, ` +
    `errs at ${plural(consecutiveErrorLimit + 1, "consecutive error")}`;
  return { failureLimit, inconclusiveLimit, consecutiveErrorLimit, limits };
}

export function metricPlan(m: Metric, template: string, dryRun: boolean): MetricPlan {
  const planned = plannedCount(m);
  const interval = secondsOf(m.interval, `metrics[${m.name}].interval`);
  const delay = secondsOf(m.initialDelay, `metrics[${m.name}].initialDelay`) ?? 0;
  const provider = Object.keys(m.provider).find((k) => m.provider[k as keyof Metric["provider"]]) ?? "";
  const count = Number.isFinite(planned) ? planned : null;
  // The first measurement comes after initialDelay, each next one an interval after the previous (src/analysis/run.ts).
  const seconds = count === null ? null : delay + (count - 1) * (interval ?? 0);
  const first = delay > 0 ? `the first after ${exactDuration(delay)}` : "the first at once";
  let ends =
    count === null
      ? `a measurement every ${exactDuration(interval ?? 0)} with no count: measures until the run is ended`
      : count === 1
        ? `1 measurement ${delay > 0 ? `after ${exactDuration(delay)}` : "at once"}`
        : `${count} measurements ${exactDuration(interval ?? 0)} apart, ${first}: done after ${exactDuration(seconds ?? 0)}`;
  if (provider === "job") ends += " (+ the Job's run time)";
  if (dryRun) ends += "; dry run: it never changes the result";
  return {
    template,
    name: m.name,
    provider,
    count,
    intervalSeconds: interval ?? null,
    initialDelaySeconds: delay,
    dryRun,
    seconds,
    ends,
    ...limitsOf(m),
  };
}

/** What ends the analysis, and what a Failed or Inconclusive result does, where it is used. */
function effects(use: AnalysisUse, promote: string, startingStep: number | null) {
  const inconclusivePauses = `Inconclusive pauses the rollout until ${promote} (or abort)`;
  switch (use) {
    case "step":
      return {
        unbounded: `never ends on its own (a metric without count): the step waits for a failure or ${promote}`,
        onFailure: "Failed or Error aborts the rollout: traffic and pods go back to stable",
        onInconclusive: inconclusivePauses,
      };
    case "background":
      return {
        unbounded: "runs until the rollout completes (the run then ends Successful)",
        onFailure: `Failed or Error aborts the rollout at whatever step it is (from step ${(startingStep ?? 0) + 1} on)`,
        onInconclusive: "Inconclusive ends the run; the rollout goes on",
      };
    case "prePromotion":
      return {
        unbounded: `never ends on its own (a metric without count): the switch waits for a failure or ${promote}`,
        onFailure: "Failed or Error aborts the rollout: the active Service never moves",
        onInconclusive: inconclusivePauses,
      };
    case "postPromotion":
      return {
        unbounded: `never ends on its own (a metric without count): the rollout waits for a failure or ${promote}`,
        onFailure: "Failed or Error switches the active Service back to the old version and aborts",
        onInconclusive: inconclusivePauses,
      };
  }
}

/** The plan of one analysis reference: its templates' metrics merged into one run, as the controller does. */
export function analysisPlan(
  ref: RolloutAnalysis & { startingStep?: number | undefined },
  lookup: TemplateLookup,
  use: AnalysisUse,
  rolloutName: string,
): AnalysisPlan {
  const templates: AnalysisPlan["templates"] = [];
  const metrics: MetricPlan[] = [];
  const dry = new Set((ref.dryRun ?? []).map((d) => d.metricName));
  for (const t of ref.templates) {
    const kind = t.clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate";
    const spec = lookup(t);
    if ("unknown" in spec) {
      templates.push({ name: t.templateName, kind, found: false, unknown: spec.unknown });
      continue;
    }
    templates.push({ name: t.templateName, kind, found: true, unknown: null });
    const templateDry = new Set((spec.dryRun ?? []).map((d) => d.metricName));
    for (const m of spec.metrics)
      metrics.push(metricPlan(m, t.templateName, dry.has(m.name) || templateDry.has(m.name)));
  }
  const startingStep = use === "background" ? (ref.startingStep ?? 0) : null;
  const words = effects(use, `\`kubectl ramp promote ${rolloutName}\``, startingStep);
  // Dry-run metrics never change the run's phase, so they do not keep it going either (assess.ts runPhase).
  const real = metrics.filter((m) => !m.dryRun);
  const missing = templates.filter((t) => !t.found);
  const unbounded = real.some((m) => m.seconds === null);
  const seconds = Math.max(0, ...real.map((m) => m.seconds ?? 0));
  const jobs = real.some((m) => m.provider === "job");
  const duration = missing.length > 0 ? "unknown" : unbounded ? "unbounded" : "known";
  const ends =
    duration === "unknown"
      ? `duration unknown: ${missing.map((t) => t.unknown).join("; ")}`
      : duration === "unbounded"
        ? words.unbounded
        : use === "background"
          ? `ends after ${exactDuration(seconds)} (the rollout does not wait for it)`
          : `succeeds after ${exactDuration(seconds)}${jobs ? " + the Job's run time" : ""} at the earliest`;
  return {
    use,
    templates,
    metrics,
    startingStep,
    duration,
    seconds: duration === "known" ? seconds : null,
    ends,
    onFailure: words.onFailure,
    onInconclusive: words.onInconclusive,
  };
}
