// What a strategy returns to the reconcile: its status fields, health, Events and when to look again.
import type { RolloutStatus } from "../api/index.ts";
import type { Health } from "./conditions.ts";
import type { AbortRecord, RecordParams } from "./records.ts";

/** Strategy-owned status fields; `null` removes a field (JSON merge patch). */
export type StatusFields = { [K in keyof RolloutStatus]?: RolloutStatus[K] | null };

export type StrategyOutcome = {
  status: StatusFields;
  health: Health;
  records: RecordParams[];
  /** Reconcile again after this long even if nothing changes (a pause or delay ends). */
  requeueAfterMs?: number | undefined;
};

/**
 * The earliest future deadline as a delay from `now`. Deadlines already past were acted on by this very
 * reconcile, so they schedule nothing (a 0 ms requeue would spin).
 */
export function earliest(now: number, ...deadlines: (number | undefined)[]): number | undefined {
  const future = deadlines.filter((d): d is number => d !== undefined && Number.isFinite(d) && d > now);
  if (future.length === 0) return undefined;
  return Math.max(0, Math.min(...future) - now);
}

/** status.abort for a machine's abort record (null clears it). */
export const abortStatus = (a: AbortRecord | undefined) =>
  a ? { reason: a.reason, message: a.message, at: a.at, ...(a.by ? { by: a.by } : {}) } : null;

/** Why a rollout is held, in the order that matters to a person: the machine's pause, a user, Git. */
export function pausedHealth(
  machinePaused: boolean,
  inconclusive: boolean,
  userPaused: boolean,
  specPaused: boolean,
  message: string,
): Health["paused"] {
  if (machinePaused) return { reason: inconclusive ? "InconclusiveAnalysis" : "PausedStep", message };
  if (userPaused) return { reason: "PausedByUser", message };
  if (specPaused) return { reason: "PausedInGit", message };
  return undefined;
}

/** `status` after the write of `fields` (see mergePatchDiff), as the next reconcile would read it back. */
export function asWritten(status: RolloutStatus, fields: StatusFields): RolloutStatus {
  const merged: Record<string, unknown> = { ...status };
  for (const [k, v] of Object.entries(fields)) {
    if (v === null) delete merged[k];
    else if (v !== undefined) merged[k] = v;
  }
  return merged as RolloutStatus;
}
