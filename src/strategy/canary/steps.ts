// What the canary steps mean at a given step index: weight, canary scale, routes.
import type { CanaryStep } from "../../api/index.ts";
import { parseDuration } from "../../api/index.ts";
import type { CanaryScale } from "../../core/replicas.ts";
import { RampError } from "../../errors.ts";
import { shortHash } from "../../kube/hash.ts";

export type StepKind =
  | "setWeight"
  | "pause"
  | "analysis"
  | "setCanaryScale"
  | "setHeaderRoute"
  | "setMirrorRoute";
const KINDS: StepKind[] = [
  "setWeight",
  "pause",
  "analysis",
  "setCanaryScale",
  "setHeaderRoute",
  "setMirrorRoute",
];

/** The one kind a step sets (admission guarantees exactly one). */
export function stepKind(step: CanaryStep): StepKind {
  const kind = KINDS.find((k) => step[k] !== undefined);
  if (!kind) throw new Error("a canary step sets none of its kinds");
  return kind;
}

/** Identity of the steps: a rollout restarts its steps when they change. */
export const stepsHash = (steps: readonly CanaryStep[]): string => shortHash(steps, 8);

/** The weight at step `index` is the traffic leaf's to answer; the steps' readers find it here too. */
export { weightAt } from "../../traffic/target.ts";

/** A setCanaryScale in force at step `index` (until a matchTrafficWeight), or undefined. */
export function canaryScaleAt(steps: readonly CanaryStep[], index: number): CanaryScale | undefined {
  if (index >= steps.length) return undefined;
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const s = steps[i]?.setCanaryScale;
    if (!s) continue;
    if (s.matchTrafficWeight) return undefined;
    if (s.replicas !== undefined) return { replicas: s.replicas };
    if (s.weight !== undefined) return { weight: s.weight };
  }
  return undefined;
}

/** The longest pause: the numeric form's int32 limit (68 years); longer ones leave the range of a Date. */
const MAX_PAUSE_MS = 2_147_483_647_000;

/** Milliseconds a pause step waits, or undefined for an indefinite pause (until promoted). */
export function pauseMs(step: CanaryStep, index: number): number | undefined {
  const d = step.pause?.duration;
  if (d === undefined) return undefined;
  const field = `spec.strategy.canary.steps[${index}].pause.duration`;
  const ms = parseDuration(d, field);
  if (ms > MAX_PAUSE_MS)
    throw new RampError(
      "InvalidSpec",
      `${field}: "${d}" is longer than 2147483647s (68 years): shorten it, or omit duration to wait for promote`,
    );
  return ms;
}
