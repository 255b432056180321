// The AnalysisRuns of a canary: created when a step or the background analysis needs one, read back as
// phases for the state machine, terminated when no longer needed, pruned to the history limits.

import { isDone } from "../../analysis/assess.ts";
import { buildRun, type RunPurpose } from "../../analysis/build.ts";
import type { AnalysisRun, RolloutAnalysis, RunPhase } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import type { Deps } from "../../core/ports.ts";
import { RampError } from "../../errors.ts";
import type { CanaryContext } from "../canary/machine.ts";

/** Deterministic per version, steps and attempt: a crash between create and status write cannot duplicate a run. */
export function runNameFor(
  ctx: RolloutContext,
  m: Pick<CanaryContext, "stepsHash" | "attempt">,
  tag: string,
): string {
  return `${ctx.name.slice(0, 200)}-${ctx.currentHash}-${m.stepsHash.slice(0, 4)}-${m.attempt}-${tag}`;
}

export type RunView = {
  phase(name: string): RunPhase | undefined;
  message(name: string): string | undefined;
  runs: AnalysisRun[];
};

export function viewRuns(ctx: RolloutContext, deps: Deps): RunView {
  const runs = deps.caches.analysisRunsOf(ctx.key);
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

/** Creates the run unless the cache already has it (a 409 from a not-yet-seen create is fine too). */
export async function ensureRun(
  ctx: RolloutContext,
  deps: Deps,
  view: RunView,
  name: string,
  ref: RolloutAnalysis,
  purpose: RunPurpose,
): Promise<void> {
  if (view.phase(name) !== undefined) return;
  let run: AnalysisRun;
  try {
    run = buildRun({
      rollout: ctx.rollout,
      ref,
      purpose,
      name,
      canaryHash: ctx.currentHash,
      stableHash: ctx.stableHash,
      template: (t, cluster) => deps.caches.analysisTemplate(ctx.namespace, t, cluster),
    });
  } catch (err) {
    // The condition must name the spec field to correct, as validateReferences' messages do.
    if (!(err instanceof RampError)) throw err;
    throw new RampError(err.code, `${analysisField(purpose)}: ${err.message}`, { cause: err });
  }
  await deps.writer.createAnalysisRun(ctx.namespace, run);
}

/** The spec field an analysis reference sits at, for messages. */
function analysisField(p: RunPurpose): string {
  if (p.kind === "step") return `spec.strategy.canary.steps[${p.stepIndex}].analysis`;
  if (p.kind === "background") return "spec.strategy.canary.analysis";
  return `spec.strategy.blueGreen.${p.kind}Analysis`;
}

/** Ends every unfinished run of this Rollout except the ones still wanted (they end as Successful). */
export async function terminateOthers(
  ctx: RolloutContext,
  deps: Deps,
  view: RunView,
  keep: Set<string>,
): Promise<void> {
  for (const r of view.runs) {
    if (keep.has(r.metadata.name) || isDone(r.status?.phase) || r.spec.terminate) continue;
    await deps.writer.patchAnalysisRun(ctx.namespace, r.metadata.name, { spec: { terminate: true } });
  }
}

/** Keeps the newest finished runs within successfulRunHistoryLimit / unsuccessfulRunHistoryLimit (5 each). */
export async function pruneRuns(ctx: RolloutContext, deps: Deps, view: RunView): Promise<void> {
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
  for (const r of [...ok, ...bad]) await deps.writer.deleteAnalysisRun(ctx.namespace, r.metadata.name);
}
