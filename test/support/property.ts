// fast-check settings shared by the property tests: a fixed seed, so a run is reproducible and CI is
// stable; RAMP_FC_SEED explores other seeds, RAMP_FC_SCALE multiplies the number of runs.
import type { Parameters } from "fast-check";

export const SEED = Number(process.env.RAMP_FC_SEED ?? 20260101);

export function runs<T>(numRuns: number): Parameters<T> {
  const scale = Number(process.env.RAMP_FC_SCALE ?? 1);
  return { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * scale)) };
}
