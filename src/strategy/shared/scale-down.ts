// With traffic routers, a version that just left service keeps its pods for scaleDownDelaySeconds (requests
// in flight drain, a rollback is instant). The deadline is data on the ReplicaSet, so restarts keep it.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { SCALE_DOWN_AT_ANNOTATION } from "../../api/labels.ts";
import type { RolloutContext } from "../../core/context.ts";
import type { ReplicaSetWrite } from "../../core/plan.ts";
import { hashOf, revisionOf, specReplicas } from "../../core/replicasets.ts";

export const SCALE_DOWN_DELAY_ROUTED_S = 30;

export type ScaleDownDelays = {
  /** True for a ReplicaSet that keeps its pods until its deadline. */
  held(rs: V1ReplicaSet): boolean;
  /** The deadlines still ahead (ms since the epoch), for a requeue. */
  deadlines: number[];
  /** `version abc scales down at …`, or undefined when nothing waits. */
  message: string | undefined;
  /** The stamps to write or clear (annotations), before any scale. */
  writes: ReplicaSetWrite[];
};

const deadlineOf = (rs: V1ReplicaSet): number | undefined => {
  const at = rs.metadata?.annotations?.[SCALE_DOWN_AT_ANNOTATION];
  const ms = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * Stamps each version with pods other than `current` with a deadline (now + delay) the first time it is
 * seen out of service, holds it until then, and clears stamps that no longer mean anything (a version
 * at zero, or the current one). A delay of 0 holds nothing.
 */
export function scaleDownDelays(
  ctx: RolloutContext,
  current: V1ReplicaSet,
  others: readonly V1ReplicaSet[],
  delayMs: number,
  revisionLimit?: number,
): ScaleDownDelays {
  const waiting = mayWait(others, revisionLimit);
  const held = new Set<V1ReplicaSet>();
  const deadlines: number[] = [];
  const lines: string[] = [];
  const writes: ReplicaSetWrite[] = [];
  const stamp = (rs: V1ReplicaSet, value: string | null) => {
    const name = rs.metadata?.name;
    if (name) writes.push({ op: "annotate", name, annotations: { [SCALE_DOWN_AT_ANNOTATION]: value } });
  };
  if (deadlineOf(current) !== undefined) stamp(current, null);
  for (const rs of others) {
    const deadline = deadlineOf(rs);
    if (specReplicas(rs) === 0 || delayMs === 0 || !waiting.has(rs)) {
      if (deadline !== undefined) stamp(rs, null);
      continue;
    }
    let at = deadline;
    if (at === undefined) {
      at = ctx.now + delayMs;
      stamp(rs, new Date(at).toISOString());
    }
    if (ctx.now < at) {
      held.add(rs);
      deadlines.push(at);
      lines.push(`version ${hashOf(rs)} scales down at ${new Date(at).toISOString()}`);
    }
  }
  const message = lines.length > 0 ? lines.join(", ") : undefined;
  return { held: (rs) => held.has(rs), deadlines, message, writes };
}

/**
 * During a rollout, an old version still inside its scale-down delay (stamped when it left service) keeps
 * its pods until then, as in steady state; the deadlines still ahead are returned for a requeue.
 */
export function stillDraining(
  ctx: RolloutContext,
  others: readonly V1ReplicaSet[],
  revisionLimit?: number,
): { held: Set<V1ReplicaSet>; deadlines: number[] } {
  const held = new Set<V1ReplicaSet>();
  const deadlines: number[] = [];
  const waiting = mayWait(others, revisionLimit);
  for (const rs of others) {
    const at = deadlineOf(rs);
    if (at === undefined || at <= ctx.now || specReplicas(rs) === 0 || !waiting.has(rs)) continue;
    held.add(rs);
    deadlines.push(at);
  }
  return { held, deadlines };
}

/** scaleDownDelayRevisionLimit: only the newest `limit` old versions with pods may wait out the delay. */
function mayWait(others: readonly V1ReplicaSet[], limit: number | undefined): Set<V1ReplicaSet> {
  const up = others.filter((rs) => specReplicas(rs) > 0).sort((a, b) => revisionOf(b) - revisionOf(a));
  return new Set(limit === undefined ? up : up.slice(0, limit));
}
