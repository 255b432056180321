// Plan tests as tables: each row changes the world (Git, a user, the pods, the clock), reconciles once,
// and says exactly what that reconcile wrote, which Events it recorded and where the status ended up.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import type { Step, World } from "./world.ts";

/** The status fields a row checks, with hashes given as version names. */
export type Summary = {
  phase: string | undefined;
  /** The persisted machine's state (status.machine.value). */
  state: string | undefined;
  step: number | undefined;
  weight: number | undefined;
  stable: string | undefined;
  stableRevision: number | undefined;
  canaryRevision: number | undefined;
  active: string | undefined;
  preview: string | undefined;
  message: string | undefined;
  abort: string | undefined;
  pauseStartTime: string | undefined;
  lastIntentId: string | undefined;
  /** An intent is still waiting in status. */
  intentPending: boolean;
  stepRun: string | undefined;
  backgroundRun: string | undefined;
  preRun: string | undefined;
  postRun: string | undefined;
};

export function summary(w: World): Summary {
  const s = w.status;
  return {
    phase: s.phase,
    state: s.machine?.value,
    step: s.currentStepIndex,
    weight: s.canary?.weight,
    stable: s.stableRS === undefined ? undefined : w.nameOf(s.stableRS),
    stableRevision: s.stableRevision,
    canaryRevision: s.canaryRevision,
    active: s.blueGreen?.activeSelector === undefined ? undefined : w.nameOf(s.blueGreen.activeSelector),
    preview: s.blueGreen?.previewSelector === undefined ? undefined : w.nameOf(s.blueGreen.previewSelector),
    message: s.message,
    abort: s.abort ? `${s.abort.reason}: ${s.abort.message}` : undefined,
    pauseStartTime: s.pauseStartTime,
    lastIntentId: s.lastIntentId,
    intentPending: s.intent !== undefined,
    stepRun: s.canary?.currentStepAnalysisRun,
    backgroundRun: s.canary?.currentBackgroundAnalysisRun,
    preRun: s.blueGreen?.prePromotionAnalysisRun,
    postRun: s.blueGreen?.postPromotionAnalysisRun,
  };
}

export type Row = {
  when: string;
  /** What changes before the reconcile. */
  given?: (w: World) => void;
  /** Pods handed to the plan (a restart asks for them). */
  pods?: V1Pod[];
  /** Every write of the reconcile, in apply's order (see linesOf). */
  writes: string[];
  /** The reasons of the Events it records, in order. */
  records?: string[];
  status?: Partial<Summary>;
  /** Checked only when the row names it (undefined: no requeue). */
  requeue?: number | undefined;
  /** Anything else the row asserts, after the reconcile. */
  check?: (w: World, step: Step) => void;
  /** The reconcile left the world in place: a plan made right after writes nothing. Default true. */
  idle?: boolean;
};

const pick = (s: Summary, keys: string[]) => Object.fromEntries(keys.map((k) => [k, s[k as keyof Summary]]));

/** One reconcile per row, in order, each a subtest of `t`. */
export async function play(t: TestContext, w: World, rows: Row[]): Promise<void> {
  for (const row of rows) {
    await t.test(row.when, () => {
      row.given?.(w);
      const step = w.reconcile(row.pods);
      assert.deepEqual(step.writes, row.writes, "writes");
      assert.deepEqual(
        step.plan.outcome.records.map((r) => r.reason),
        row.records ?? [],
        "Events",
      );
      if (row.status) assert.deepEqual(pick(summary(w), Object.keys(row.status)), row.status, "status");
      if ("requeue" in row) assert.equal(step.plan.outcome.requeueAfterMs, row.requeue, "requeueAfterMs");
      row.check?.(w, step);
      if (row.idle !== false)
        assert.deepEqual(w.again(), { writes: [], records: [], status: {} }, "a second plan is idle");
    });
  }
}

/** The backendRef weights of each rule of an HTTPRoute, `name:stable/canary` (`main` for an unnamed rule). */
export function weights(w: World, route: string): string[] {
  const rules = (w.route(route)?.spec?.rules ?? []) as {
    name?: string;
    backendRefs?: { weight?: number }[];
  }[];
  return rules.map((r) => `${r.name ?? "main"}:${(r.backendRefs ?? []).map((b) => b.weight ?? 1).join("/")}`);
}
