// The AnalysisRuns of a canary: created when a step or the background analysis needs one, read back as
// phases for the state machine, terminated when no longer needed, pruned to the history limits.

import { isDone } from "../../analysis/assess.ts";
import { buildRun, type RunPurpose } from "../../analysis/build.ts";
import type { AnalysisRun, RolloutAnalysis, RunPhase } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import type { RunWrites } from "../../core/plan.ts";
import type { Caches } from "../../core/ports.ts";
import { RampError } from "../../errors.ts";

/** Deterministic per version, steps and attempt: a crash between create and status write cannot duplicate a run. */
export function runNameFor(
  ctx: RolloutContext,
  m: { stepsHash: string; attempt: number },
  tag: string,
): string {
  return `${ctx.name.slice(0, 200)}-${ctx.currentHash}-${m.stepsHash.slice(0, 4)}-${m.attempt}-${tag}`;
}

export type RunView = {
  phase(name: string): RunPhase | undefined;
  message(name: string): string | undefined;
  runs: AnalysisRun[];
};

export function viewRuns(ctx: RolloutContext, caches: Caches): RunView {
  const runs = caches.analysisRunsOf(ctx.key);
  const byName = new Map(runs.map((r) => [r.metadata.name, r]));
  return {
    runs,
    phase: (name) => {
      const r = byName.get(name);
      return r ? (r.status?.phase ?? "Pending") : undefined;
    },
    message: (name) => byName.get(name)?.status?.message,
  };
}

/** The run to create unless the cache already has it (a 409 from a not-yet-seen create is fine too). */
export function runToCreate(
  ctx: RolloutContext,
  caches: Caches,
  view: RunView,
  name: string,
  ref: RolloutAnalysis,
  purpose: RunPurpose,
): AnalysisRun[] {
  if (view.phase(name) !== undefined) return [];
  try {
    return [
      buildRun({
        rollout: ctx.rollout,
        ref,
        purpose,
        name,
        canaryHash: ctx.currentHash,
        stableHash: ctx.stableHash,
        template: (t, cluster) => caches.analysisTemplate(ctx.namespace, t, cluster),
      }),
    ];
  } catch (err) {
    // The condition must name the spec field to correct, as validateReferences' messages do.
    if (!(err instanceof RampError)) throw err;
    throw new RampError(err.code, `${analysisField(purpose)}: ${err.message}`, { cause: err });
  }
}

/** The spec field an analysis reference sits at, for messages. */
function analysisField(p: RunPurpose): string {
  if (p.kind === "step") return `spec.strategy.canary.steps[${p.stepIndex}].analysis`;
  if (p.kind === "background") return "spec.strategy.canary.analysis";
  return `spec.strategy.blueGreen.${p.kind}Analysis`;
}

/** Every unfinished run of this Rollout but the ones still wanted, to terminate (they end as Successful). */
export const runsToTerminate = (view: RunView, keep: Set<string>): string[] =>
  view.runs
    .filter((r) => !(keep.has(r.metadata.name) || isDone(r.status?.phase) || r.spec.terminate))
    .map((r) => r.metadata.name);

/** Finished runs beyond successfulRunHistoryLimit / unsuccessfulRunHistoryLimit (5 each), oldest first out. */
export function runsToPrune(ctx: RolloutContext, view: RunView): string[] {
  const limits = ctx.rollout.spec.analysis;
  const done = view.runs
    .filter((r) => isDone(r.status?.phase))
    .sort((a, b) => String(b.status?.finishedAt ?? "").localeCompare(String(a.status?.finishedAt ?? "")));
  const ok = done
    .filter((r) => r.status?.phase === "Successful")
    .slice(limits?.successfulRunHistoryLimit ?? 5);
  const bad = done
    .filter((r) => r.status?.phase !== "Successful")
    .slice(limits?.unsuccessfulRunHistoryLimit ?? 5);
  return [...ok, ...bad].map((r) => r.metadata.name);
}

/** The runs in `wanted` are created when missing; every other unfinished run ends; old ones are pruned. */
export function runWrites(
  ctx: RolloutContext,
  caches: Caches,
  view: RunView,
  wanted: { name: string; ref: RolloutAnalysis; purpose: RunPurpose }[],
): RunWrites {
  return {
    create: wanted.flatMap((w) => runToCreate(ctx, caches, view, w.name, w.ref, w.purpose)),
    terminate: runsToTerminate(view, new Set(wanted.map((w) => w.name))),
    delete: runsToPrune(ctx, view),
  };
}
