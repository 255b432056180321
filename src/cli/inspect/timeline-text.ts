// `kubectl ramp plan` as text: a heading per Rollout, its timeline as a kubectl-style table, its analyses
// and the minimum time. Pure: the same plan always gives the same lines (colors only through `paint`).
import type { AnalysisPlan } from "./analysis-plan.ts";
import { exactDuration, type Paint, plain, table } from "./format.ts";
import type { RolloutTimeline, TimelineEntry } from "./timeline.ts";

/** Where the Rollout came from, for its heading: a file and document offline, a namespace live. */
export type PlanSource = { file?: string; document?: number };

/** 20% out of 100, else 200/1000: weights are out of trafficRouting.maxTrafficWeight. */
const weightCell = (w: number, total: number) => (total === 100 ? `${w}%` : `${w}/${total}`);

function timeCell(e: TimelineEntry, paint: Paint): string {
  if (e.until === "promote") return paint.warn("person");
  if (e.until === "unknown") return paint.bad("unknown");
  if (e.until === "pods") return paint.dim("-");
  return exactDuration(e.seconds ?? 0);
}

function heading(plan: RolloutTimeline, source: PlanSource, paint: Paint): string {
  const where = [source.file, source.document === undefined ? undefined : `document ${source.document}`]
    .filter(Boolean)
    .join(", ");
  const traits = [
    plan.strategy === "canary" ? "canary" : "blue-green",
    `${plan.replicas} replica${plan.replicas === 1 ? "" : "s"}`,
    ...(plan.strategy === "canary"
      ? [
          plan.trafficRouting.length > 0
            ? `routed by ${plan.trafficRouting.join(", ")}`
            : "no traffic routing",
        ]
      : []),
    ...(plan.dynamicStableScale ? ["dynamicStableScale"] : []),
  ];
  const name = plan.namespace ? `${plan.namespace}/${plan.name}` : plan.name;
  return `${paint.bold(`Rollout ${name}`)}${where ? ` (${where})` : ""}: ${traits.join(", ")}`;
}

function timelineRows(plan: RolloutTimeline, paint: Paint): string[] {
  const canary = plan.strategy === "canary";
  const [a, b] = canary ? ["CANARY", "STABLE"] : ["NEW", "OLD"];
  const head = [canary ? "STEP" : "PHASE", "WHAT", a, b, `${a} PODS`, `${b} PODS`, "TIME", "ENDS"];
  const rows = plan.timeline.map((e) => [
    canary ? (e.index === null ? "done" : String(e.index + 1)) : e.kind,
    e.description,
    weightCell(e.weight.canary, e.weight.total),
    weightCell(e.weight.stable, e.weight.total),
    String(e.pods.canary),
    String(e.pods.stable),
    timeCell(e, paint),
    e.ends,
  ]);
  return table([head.map((h) => paint.dim(h)), ...rows]);
}

function analysisLines(label: string, a: AnalysisPlan, paint: Paint): string[] {
  const templates = a.templates
    .map((t) => `${t.name}${t.kind === "ClusterAnalysisTemplate" ? " (cluster)" : ""}`)
    .join(", ");
  const ends = a.duration === "unknown" ? paint.bad(a.ends) : a.ends;
  return [
    `  ${label}: ${templates}: ${ends}`,
    ...a.metrics.map((m) => `    ${m.name} (${m.template}, ${m.provider}): ${m.ends}; ${m.limits}`),
    `    ${a.onFailure}; ${a.onInconclusive}`,
  ];
}

/** The lines of one Rollout's plan. */
export function renderPlan(plan: RolloutTimeline, source: PlanSource = {}, paint: Paint = plain): string[] {
  const lines = [heading(plan, source, paint), "", ...timelineRows(plan, paint)];
  const analyses: string[] = [];
  for (const e of plan.timeline) {
    if (!e.analysis) continue;
    analyses.push(...analysisLines(e.index === null ? e.kind : `step ${e.index + 1}`, e.analysis, paint));
  }
  if (plan.background) {
    const from = `background, from step ${(plan.background.startingStep ?? 0) + 1}`;
    analyses.push(...analysisLines(from, plan.background, paint));
  }
  if (analyses.length > 0) lines.push("", "Analysis:", ...analyses);
  const total = plan.total.waitsForPerson ? paint.warn(plan.total.description) : plan.total.description;
  lines.push(
    "",
    `Then: ${plan.afterCompletion.description}.`,
    `Minimum time: ${total} (and the time pods take to become available)`,
  );
  return lines;
}
