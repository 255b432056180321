// Label values of the Rollout series. Each comes from a fixed set (or is the Rollout's own name), so the
// number of series is bounded by the number of Rollouts whatever a status or spec contains.
import { PHASES } from "../api/index.ts";
import { ERROR_CODES } from "../errors.ts";

export const ROLES = ["stable", "canary", "total"] as const;

/** The condition types ramp sets (src/core/conditions.ts); any other type gets no series. */
export const CONDITION_TYPES: ReadonlySet<string> = new Set([
  "Ready",
  "Reconciling",
  "Stalled",
  "Progressing",
  "Paused",
  "Available",
  "Aborted",
]);

/** Reasons of ramp's conditions besides the error codes (src/core/conditions.ts). */
export const CONDITION_REASONS: ReadonlySet<string> = new Set<string>([
  ...Object.keys(ERROR_CODES),
  ...PHASES,
  "RollingOut",
  "AsExpected",
  "ReplicaSetUpdated",
  "NewReplicaSetAvailable",
  "NotPaused",
  "PausedStep",
  "PausedByUser",
  "PausedInGit",
  "MinimumReplicasAvailable",
  "MinimumReplicasUnavailable",
  "NotAborted",
]);

/** The error codes, the only reasons an abort is counted by. */
export const ERROR_CODE_SET: ReadonlySet<string> = new Set(Object.keys(ERROR_CODES));

const ROUTERS = ["gatewayAPI", "istio", "nginx"] as const;

/** `v` when the set has it, else "Other". */
export const known = (set: ReadonlySet<string>, v: unknown): string =>
  typeof v === "string" && set.has(v) ? v : "Other";

/** The parts of a Rollout's spec the labels read; anything may be missing or of another type. */
export type SpecView = {
  replicas?: unknown;
  strategy?: { canary?: { trafficRouting?: Record<string, unknown> }; blueGreen?: unknown };
};

export const strategyOf = (spec: SpecView): string =>
  spec.strategy?.blueGreen ? "blueGreen" : spec.strategy?.canary ? "canary" : "Other";

/** "none", one router, or several joined by "+" in a fixed order (a Rollout may weight more than one). */
export function routerOf(spec: SpecView): string {
  const routing = spec.strategy?.canary?.trafficRouting ?? {};
  const used = ROUTERS.filter((r) => routing[r] !== undefined);
  return used.length === 0 ? "none" : used.join("+");
}
