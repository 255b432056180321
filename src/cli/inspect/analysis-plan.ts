// What an analysis of a Rollout will do, read from its templates: how long it runs, what ends it and what
// its limits mean, in words. Pure; timeline.ts places it among the steps.

import { plannedCount } from "../../analysis/assess.ts";
import { matchRules } from "../../analysis/names.ts";
import {
  argsOf,
  type DurationField,
  type IntField,
  resolveDuration,
  resolveInt,
} from "../../analysis/resolve.ts";
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
  /** Measurements it takes; null: no count with an interval (it measures until the run is ended), or unknown. */
  count: number | null;
  intervalSeconds: number | null;
  initialDelaySeconds: number;
  dryRun: boolean;
  /** From the run's start to its last measurement; null when it never finishes on its own, or unknown. */
  seconds: number | null;
  ends: string;
  /** null: it comes from an arg not known before the run (see `unknown`). */
  failureLimit: number | null;
  inconclusiveLimit: number | null;
  consecutiveErrorLimit: number | null;
  limits: string;
  /** Fields whose value is not known offline, e.g. "count from args.count: unknown until run". */
  unknown: string[];
  /** false: count, interval or initialDelay is not known offline, so neither is how long it runs. */
  timingKnown: boolean;
};

export type AnalysisPlan = {
  use: AnalysisUse;
  templates: { name: string; kind: string; found: boolean; unknown: string | null }[];
  metrics: MetricPlan[];
  /** Background analysis: the index of the step it starts at. */
  startingStep: number | null;
  /** known: it ends on its own after `seconds`; unbounded: a metric never finishes; unknown: a template is missing or a count, interval or delay comes from an arg not known offline. */
  duration: "known" | "unbounded" | "unknown";
  seconds: number | null;
  ends: string;
  onFailure: string;
  onInconclusive: string;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Resolves a metric's fields from the args known offline; a field it cannot resolve is null, with a reason. */
function offline(m: Metric, args: Record<string, string>) {
  const unknown: { field: string; reason: string }[] = [];
  const attempt = <T>(
    field: string,
    raw: number | string | undefined,
    resolve: () => T,
  ): T | null | undefined => {
    if (raw === undefined) return undefined;
    const missing = typeof raw === "string" ? argsOf(raw).filter((a) => args[a] === undefined) : [];
    if (missing.length > 0) {
      const from = missing.map((a) => `args.${a}`).join(", ");
      unknown.push({ field, reason: `${field} from ${from}: unknown until run` });
      return null;
    }
    try {
      return resolve();
    } catch (err) {
      unknown.push({ field, reason: `the run would end Error: ${(err as Error).message}` });
      return null;
    }
  };
  const int = (f: IntField) => attempt(f, m[f], () => resolveInt(m.name, f, m[f] ?? 0, args));
  const seconds = (f: DurationField) =>
    attempt(f, m[f], () => parseDuration(resolveDuration(m.name, f, m[f] ?? 0, args), f) / 1000);
  return {
    count: int("count"),
    failureLimit: int("failureLimit"),
    inconclusiveLimit: int("inconclusiveLimit"),
    consecutiveErrorLimit: int("consecutiveErrorLimit"),
    interval: seconds("interval"),
    delay: seconds("initialDelay"),
    unknown,
  };
}

/** The limits as the analysis applies them (src/analysis/assess.ts metricPhase): a limit is how many are tolerated. */
function limitsOf(r: ReturnType<typeof offline>) {
  const failureLimit = r.failureLimit === undefined ? 0 : r.failureLimit;
  const inconclusiveLimit = r.inconclusiveLimit === undefined ? 0 : r.inconclusiveLimit;
  const consecutiveErrorLimit = r.consecutiveErrorLimit === undefined ? 4 : r.consecutiveErrorLimit;
  const at = (limit: number | null, word: string, field: string) =>
    limit === null ? `${field} unknown until run` : plural(limit + 1, word);
  const limits =
    `fails at ${at(failureLimit, "failed measurement", "failureLimit")}, ` +
    `inconclusive at ${at(inconclusiveLimit, "inconclusive measurement", "inconclusiveLimit")}, ` +
    `errs at ${at(consecutiveErrorLimit, "consecutive error", "consecutiveErrorLimit")}`;
  return { failureLimit, inconclusiveLimit, consecutiveErrorLimit, limits };
}

const TIMING = new Set(["count", "interval", "initialDelay"]);

/** One metric's plan; `args` are the values known before the run (literal ones), for fields that use them. */
export function metricPlan(
  m: Metric,
  template: string,
  dryRun: boolean,
  args: Record<string, string> = {},
): MetricPlan {
  const r = offline(m, args);
  const provider = Object.keys(m.provider).find((k) => m.provider[k as keyof Metric["provider"]]) ?? "";
  const timing = r.count === null || r.interval === null || r.delay === null;
  const planned = plannedCount({
    name: m.name,
    provider: m.provider,
    interval: m.interval,
    count: r.count ?? undefined,
  });
  const interval = r.interval ?? undefined;
  const delay = r.delay ?? 0;
  const count = timing || !Number.isFinite(planned) ? null : planned;
  // The first measurement comes after initialDelay, each next one an interval after the previous (src/analysis/run.ts).
  const seconds = count === null ? null : delay + (count - 1) * (interval ?? 0);
  const first = delay > 0 ? `the first after ${exactDuration(delay)}` : "the first at once";
  let ends = timing
    ? r.unknown
        .filter((u) => TIMING.has(u.field))
        .map((u) => u.reason)
        .join("; ")
    : count === null
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
    ...limitsOf(r),
    unknown: r.unknown.map((u) => u.reason),
    timingKnown: !timing,
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

/**
 * The args a run of `ref` would have that are known before it starts: literal values, the template's
 * defaults first and the Rollout's over them (src/analysis/build.ts); valueFrom ones are known only then.
 */
function knownArgs(
  ref: RolloutAnalysis,
  specs: AnalysisTemplateSpec[],
  rolloutName: string,
): Record<string, string> {
  const known: Record<string, string> = { "rollout-name": rolloutName };
  const declared = new Set<string>();
  // The first template to declare an arg decides its default, as in buildRun.
  for (const a of specs.flatMap((s) => s.args ?? [])) {
    if (declared.has(a.name)) continue;
    declared.add(a.name);
    if (a.value !== undefined) known[a.name] = a.value;
    else if (a.valueFrom) delete known[a.name];
  }
  for (const a of ref.args ?? []) {
    if (a.value !== undefined) known[a.name] = a.value;
    else delete known[a.name];
  }
  return known;
}

/** The plan of one analysis reference: its templates' metrics merged into one run, as the controller does. */
export function analysisPlan(
  ref: RolloutAnalysis & { startingStep?: number | undefined },
  lookup: TemplateLookup,
  use: AnalysisUse,
  rolloutName: string,
): AnalysisPlan {
  const templates: AnalysisPlan["templates"] = [];
  const found: { name: string; spec: AnalysisTemplateSpec }[] = [];
  for (const t of ref.templates) {
    const kind = t.clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate";
    const spec = lookup(t);
    if ("unknown" in spec) {
      templates.push({ name: t.templateName, kind, found: false, unknown: spec.unknown });
      continue;
    }
    templates.push({ name: t.templateName, kind, found: true, unknown: null });
    found.push({ name: t.templateName, spec });
  }
  const args = knownArgs(
    ref,
    found.map((f) => f.spec),
    rolloutName,
  );
  const dry = dryRunNames(ref, found);
  const metrics: MetricPlan[] = [];
  for (const { name, spec } of found)
    for (const m of spec.metrics) metrics.push(metricPlan(m, name, dry.has(m.name), args));
  const startingStep = use === "background" ? (ref.startingStep ?? 0) : null;
  const words = effects(use, `\`kubectl ramp promote ${rolloutName}\``, startingStep);
  // Dry-run metrics never change the run's phase, so they do not keep it going either (assess.ts runPhase).
  const real = metrics.filter((m) => !m.dryRun);
  const missing = templates.filter((t) => !t.found);
  const unresolved = real.filter((m) => !m.timingKnown);
  const unbounded = real.some((m) => m.seconds === null);
  const seconds = Math.max(0, ...real.map((m) => m.seconds ?? 0));
  const jobs = real.some((m) => m.provider === "job");
  const duration =
    missing.length > 0 || unresolved.length > 0 ? "unknown" : unbounded ? "unbounded" : "known";
  const why = [...missing.map((t) => t.unknown), ...unresolved.map((m) => `metric ${m.name}: ${m.ends}`)];
  const ends =
    duration === "unknown"
      ? `duration unknown: ${why.join("; ")}`
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

/** The metrics a dry run covers, matched as the run matches them (names, patterns, "*"); none when unmatched. */
function dryRunNames(
  ref: { dryRun?: { metricName: string }[] | undefined },
  found: { spec: { metrics: { name: string }[]; dryRun?: { metricName: string }[] | undefined } }[],
): Set<string> {
  const names = found.flatMap((f) => f.spec.metrics.map((m) => m.name));
  const rules = [...found.flatMap((f) => f.spec.dryRun ?? []), ...(ref.dryRun ?? [])];
  try {
    return new Set(matchRules("dryRun", rules, names).keys());
  } catch {
    // An entry that matches nothing ends the run Error: the plan shows the metrics as not dry-run.
    return new Set();
  }
}
