// Which notifiable transitions one status write records: read from the status before and after it, so an
// event is owed exactly when the write that records its transition lands (ADR 0015).
import type { Condition, PendingNotification, Rollout, RolloutStatus } from "../api/index.ts";

/** A transition worth telling people about, before it is given a sequence number and recipients. */
export type Transition = Omit<PendingNotification, "seq" | "to">;

const cond = (s: RolloutStatus | undefined, type: string): Condition | undefined =>
  s?.conditions?.find((c) => c.type === type && c.status === "True") ??
  (type === "Progressing" ? s?.conditions?.find((c) => c.type === type) : undefined);

/** The images of the pod template, `name=image` joined by ", ": what a person calls the version. */
export function versionOf(rollout: Pick<Rollout, "spec">): string | undefined {
  const template = (rollout.spec as { template?: { spec?: { containers?: unknown } } }).template;
  const containers = template?.spec?.containers;
  if (!Array.isArray(containers)) return undefined;
  const images = containers.flatMap((c: { name?: unknown; image?: unknown }) =>
    typeof c?.image === "string" ? [`${String(c.name ?? "")}=${c.image}`] : [],
  );
  return images.length > 0 ? images.join(", ").slice(0, 1024) : undefined;
}

/** Whether the step the Rollout is paused at waits for a person (no duration, no automatic promotion). */
function waitsForPerson(rollout: Rollout, status: RolloutStatus): boolean {
  const { canary, blueGreen } = rollout.spec.strategy;
  if (blueGreen) return blueGreen.autoPromotionEnabled === false;
  const step = canary?.steps?.[status.currentStepIndex ?? -1];
  return step?.pause !== undefined && step.pause.duration === undefined;
}

const startedAt = (s: RolloutStatus | undefined): string | undefined => {
  const at = s?.machine?.context?.startedAt;
  return typeof at === "string" ? at : undefined;
};

/** The notifiable transitions between `before` (as persisted) and `after` (as this write leaves it). */
export function transitions(
  rollout: Rollout,
  before: RolloutStatus | undefined,
  after: RolloutStatus,
  now: number,
): Transition[] {
  const at = new Date(now).toISOString();
  const base: Transition = {
    event: "stepStarted",
    at,
    ...optional({
      version: versionOf(rollout),
      revision: after.canaryRevision ?? after.stableRevision,
      step: after.stepCount ? Math.min(after.stepCount, (after.currentStepIndex ?? 0) + 1) : undefined,
      steps: after.stepCount || undefined,
      weight: after.canary?.weight,
    }),
  };
  const out: Transition[] = [];
  const moved =
    before?.currentStepIndex !== after.currentStepIndex || before?.currentPodHash !== after.currentPodHash;
  const rollingOut = after.currentPodHash !== after.stableRS;
  const steps = after.stepCount ?? 0;
  if (moved && rollingOut && after.currentStepIndex !== undefined && after.currentStepIndex < steps)
    out.push({ ...base, event: "stepStarted" });

  const paused = cond(after, "Paused");
  const pausedBefore = cond(before, "Paused");
  const samePlace = !moved;
  if (
    paused?.reason === "PausedStep" &&
    !(pausedBefore?.reason === "PausedStep" && samePlace) &&
    waitsForPerson(rollout, after)
  )
    out.push({ ...base, event: "paused" });
  if (
    paused?.reason === "InconclusiveAnalysis" &&
    !(pausedBefore?.reason === "InconclusiveAnalysis" && samePlace)
  )
    out.push({ ...base, event: "analysisInconclusive", ...optional({ message: paused.message }) });

  const abort = after.abort;
  if (abort && abort.at !== before?.abort?.at)
    out.push({
      ...base,
      // Where it was when it aborted: this write already sends traffic back to stable.
      ...optional({ weight: before?.canary?.weight }),
      event: "aborted",
      reason: abort.reason.slice(0, 256),
      message: abort.message.slice(0, 2048),
      ...optional({ by: abort.by }),
    });

  const deadline = (s: RolloutStatus | undefined) =>
    cond(s, "Progressing")?.reason === "ProgressDeadlineExceeded";
  if (deadline(after) && !deadline(before) && abort?.reason !== "ProgressDeadlineExceeded")
    out.push({
      ...base,
      event: "progressDeadlineExceeded",
      reason: "ProgressDeadlineExceeded",
      ...optional({ message: cond(after, "Progressing")?.message?.slice(0, 2048) }),
    });

  // Git went back to the stable version while a new one was being shipped.
  if (
    before?.currentPodHash &&
    before.currentPodHash !== before.stableRS &&
    after.currentPodHash === after.stableRS &&
    before.stableRS === after.stableRS
  )
    out.push({ ...base, event: "rolledBack", reason: "RolledBack" });
  // Live: Healthy with the newest version stable, once per version (a recovery from Degraded is not news).
  const live = (s: RolloutStatus | undefined) =>
    s?.phase === "Healthy" && !!s.stableRS && s.stableRS === s.currentPodHash;
  if (
    live(after) &&
    !out.some((t) => t.event === "rolledBack") &&
    !(live(before) && before?.stableRS === after.stableRS) &&
    before?.notifications?.healthy !== after.stableRS
  ) {
    const since = startedAt(before) ?? startedAt(after);
    const ms = since === undefined ? Number.NaN : now - Date.parse(since);
    out.push({
      ...base,
      event: "healthy",
      ...optional({ durationSeconds: Number.isFinite(ms) ? Math.max(0, Math.round(ms / 1000)) : undefined }),
    });
  }
  return out;
}

/** The entries whose value is defined (exactOptionalPropertyTypes: no `key: undefined`). */
function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
