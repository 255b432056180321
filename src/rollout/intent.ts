// Turns a user's request (status.intent, written by `kubectl ramp`) into a machine event, exactly once.
import type { RolloutStatus, UserIntent } from "../api/index.ts";
import type { CanaryEvent, Env } from "../machine/canary.ts";

/** The intent not yet applied, if any. */
export function pendingIntent(status: RolloutStatus): UserIntent | undefined {
  const intent = status.intent;
  return intent && intent.id !== status.lastIntentId ? intent : undefined;
}

export function intentEvent(intent: UserIntent, env: Env): CanaryEvent {
  const by = intent.requestedBy;
  switch (intent.action) {
    case "promote":
      return { type: "PROMOTE", env, stepIndex: intent.stepIndex, by };
    case "promoteFull":
      return { type: "PROMOTE_FULL", env, by };
    case "abort":
      return {
        type: "ABORT",
        env,
        reason: "AbortedByUser",
        message: `aborted by ${by ?? "a user"}${intent.reason ? `: ${intent.reason}` : ""}`,
        by,
      };
    case "retry":
      return { type: "RETRY", env, by };
    case "pause":
      return { type: "PAUSE", env, by };
    case "resume":
      return { type: "RESUME", env, by };
  }
}

/** Status fields that mark an intent as applied (lastIntentId) and remove it. */
export const consumed = (intent: UserIntent | undefined): { intent?: null; lastIntentId?: string } =>
  intent ? { intent: null, lastIntentId: intent.id } : {};
