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

/** About a third of the versions are bad; the first is always good and the second always bad. */
export function planRollouts(n: number, rng: Rng): RolloutPlan[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `r${String(i).padStart(2, "0")}`;
    const good = i === 0 || (i !== 1 && rng.next() >= 1 / 3);
    const [p1, p2] = [rng.int(2, 5), rng.int(2, 4)];
    const analysis = {
      templates: [{ templateName: `${name}-check` }],
      args: [{ name: "version", value: good ? "good" : "bad" }],
    };
    return {
      name,
      good,
      steps: [
        { setWeight: 20 },
        { pause: { duration: `${p1}s` } },
        { setWeight: 40 },
        { analysis },
        { setWeight: 60 },
        { pause: { duration: `${p2}s` } },
      ],
      weights: [20, 20, 40, 40, 60, 60, 100],
      pauseMs: [undefined, p1 * 1000, undefined, undefined, undefined, p2 * 1000],
      analysisStep: 3,
    };
  });
}

/** One crash: wait `afterMs` once the controller answers /healthz, SIGKILL it, stay down `downMs`. */
export type Kill = { afterMs: number; downMs: number };

export function killSchedule(kills: number, rng: Rng): Kill[] {
  // From 0.2 s (often mid cache sync) to 3 s (mid step): kills land in every phase of a reconcile, and
  // most of them while the Rollouts still progress (a pause is 2-5 s).
  return Array.from({ length: kills }, () => ({ afterMs: rng.int(200, 3000), downMs: rng.int(0, 1000) }));
}
