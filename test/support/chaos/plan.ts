// The crash-anywhere test's size and every random choice it makes, drawn from one seed, so a failing run
// replays with RAMP_CHAOS_SEED at the same RAMP_CHAOS_ROLLOUTS and RAMP_CHAOS_KILLS.
import { randomInt } from "node:crypto";

export type ChaosSize = { rollouts: number; kills: number; seed: number };

/** Inside `npm test` a short run; `npm run test:chaos` sets the full size (50 × 20). */
export const SHORT = { rollouts: 8, kills: 4 } as const;

export function chaosSize(env: NodeJS.ProcessEnv): ChaosSize {
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`ramp: ${name}=${raw} must be a whole number >= ${min}`);
    return n;
  };
  return {
    // Two at least: one healthy version and one bad.
    rollouts: int("RAMP_CHAOS_ROLLOUTS", SHORT.rollouts, 2),
    kills: int("RAMP_CHAOS_KILLS", SHORT.kills, 0),
    seed: int("RAMP_CHAOS_SEED", randomInt(1, 2 ** 31), 0),
  };
}

export type Rng = { next(): number; int(lo: number, hi: number): number };

/** mulberry32: small, fast and the same on every machine for the same seed. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

export type RolloutPlan = {
  name: string;
  /** A good version passes its analysis and is promoted; a bad one is aborted by it. */
  good: boolean;
  /** spec.strategy.canary.steps, as JSON. */
  steps: Record<string, unknown>[];
  /** The most canary weight step i allows; index steps.length (all steps done) allows 100. */
  weights: number[];
  /** How long step i pauses in ms (undefined: not a pause step). */
  pauseMs: (number | undefined)[];
  /** The analysis step, where a bad version must stop. */
  analysisStep: number;
};

/**
 * Every third version is bad (r01, r04, …), the rest good. Steps: a ladder of setWeight + pause (2-5 s)
 * pairs up to 60%, one pair per two kills (three at least) so the Rollouts stay in flight through every
 * kill, and an analysis two thirds of the way up.
 */
export function planRollouts(n: number, rng: Rng, kills: number): RolloutPlan[] {
  const pairs = Math.max(3, Math.ceil(kills / 2));
  const analysisAfter = Math.floor((2 * pairs) / 3) - 1;
  return Array.from({ length: n }, (_, i) => {
    const name = `r${String(i).padStart(2, "0")}`;
    const good = i % 3 !== 1;
    const analysis = {
      templates: [{ templateName: `${name}-check` }],
      args: [{ name: "version", value: good ? "good" : "bad" }],
    };
    const plan: RolloutPlan = { name, good, steps: [], weights: [], pauseMs: [], analysisStep: -1 };
    const add = (step: Record<string, unknown>, weight: number, ms?: number) => {
      plan.steps.push(step);
      plan.weights.push(weight);
      plan.pauseMs.push(ms);
    };
    for (let k = 0; k < pairs; k++) {
      const weight = Math.round(((k + 1) * 60) / pairs);
      const seconds = rng.int(2, 5);
      add({ setWeight: weight }, weight);
      add({ pause: { duration: `${seconds}s` } }, weight, seconds * 1000);
      if (k === analysisAfter) {
        plan.analysisStep = plan.steps.length;
        add({ analysis }, weight);
      }
    }
    plan.weights.push(100);
    return plan;
  });
}

/**
 * One crash: SIGKILL `afterMs` after the controller is ready (caches synced, reconciling: a cache sync
 * writes nothing, so a kill there proves little), then stay down `downMs`. Each restart stalls progress, so
 * the Rollouts slow down with the kills and stay in flight through all of them.
 */
export type Kill = { afterMs: number; downMs: number };

export function killSchedule(kills: number, rng: Rng): Kill[] {
  return Array.from({ length: kills }, () => ({ afterMs: rng.int(0, 2500), downMs: rng.int(0, 1000) }));
}
