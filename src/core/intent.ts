// Turns a user's request (status.intent, written by `kubectl ramp`) into a machine event, exactly once.
import type { RolloutStatus, UserIntent } from "../api/index.ts";

/** The intent not yet applied, if any. */
export function pendingIntent(status: RolloutStatus): UserIntent | undefined {
  const intent = status.intent;
  return intent && intent.id !== status.lastIntentId ? intent : undefined;
}

/** The machine event for an intent; both strategies' machines take these shapes, with their own env. */
export function intentEvent<E>(intent: UserIntent, env: E) {
  const by = intent.requestedBy;
  switch (intent.action) {
    case "promote":
      return { type: "PROMOTE" as const, env, stepIndex: intent.stepIndex, by };
    case "promoteFull":
      return { type: "PROMOTE_FULL" as const, env, by };
    case "abort":
      return {
        type: "ABORT" as const,
        env,
        reason: "AbortedByUser" as const,
        message: `aborted by ${by ?? "a user"}${intent.reason ? `: ${intent.reason}` : ""}`,
        by,
      };
    case "retry":
      return { type: "RETRY" as const, env, by };
    case "pause":
      return { type: "PAUSE" as const, env, by };
    case "resume":
      return { type: "RESUME" as const, env, by };
  }
}

/** Status fields that mark an intent as applied (lastIntentId) and remove it. */
export const consumed = (intent: UserIntent | undefined): { intent?: null; lastIntentId?: string } =>
  intent ? { intent: null, lastIntentId: intent.id } : {};
