// What the canary steps mean at a given step index: weight, canary scale, routes.
import type { CanaryStep } from "../api/index.ts";
import { parseDuration } from "../api/index.ts";
import { shortHash } from "./hash.ts";

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

/** The canary weight while executing step `index`; past the last step the canary has everything. */
export function weightAt(steps: readonly CanaryStep[], index: number): number {
  if (index >= steps.length) return 100;
  for (let i = index; i >= 0; i--) {
    const w = steps[i]?.setWeight;
    if (w !== undefined) return w;
  }
  return 0;
}

export type CanaryScale = { weight: number } | { replicas: number };

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

/** Milliseconds a pause step waits, or undefined for an indefinite pause (until promoted). */
export function pauseMs(step: CanaryStep, index: number): number | undefined {
  const d = step.pause?.duration;
  return d === undefined
    ? undefined
    : parseDuration(d, `spec.strategy.canary.steps[${index}].pause.duration`);
}
