// Property tests of the blue-green machine: random histories of previews becoming ready, analysis results,
// time, user actions and controller restarts; the switch happens only when it may, and never twice.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { RunPhase } from "../../../../src/api/index.ts";
import type { BlueGreenEnv, BlueGreenEvent } from "../../../../src/strategy/bluegreen/machine.ts";
import {
  type BlueGreenSnapshot,
  type BlueGreenState,
  blueGreenState,
  dehydrateBlueGreen,
  driveBlueGreen,
  hydrateBlueGreen,
  startBlueGreen,
} from "../../../../src/strategy/bluegreen/persist.ts";
import { runs } from "../../../support/property.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const PHASES: RunPhase[] = ["Pending", "Running", "Successful", "Failed", "Error", "Inconclusive"];
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: arb });

type Spec = Pick<
  BlueGreenEnv,
  "autoPromotionEnabled" | "autoPromotionSeconds" | "hasPrePromotion" | "hasPostPromotion"
>;
const specArb: fc.Arbitrary<Spec> = fc.record({
  autoPromotionEnabled: fc.boolean(),
  autoPromotionSeconds: fc.integer({ min: 0, max: 120 }),
  hasPrePromotion: fc.boolean(),
  hasPostPromotion: fc.boolean(),
});
type World = Pick<BlueGreenEnv, "specPaused" | "previewReady" | "fullyReady" | "pre" | "post"> & {
  dtMs: number;
};
const worldArb: fc.Arbitrary<World> = fc.record({
  dtMs: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 200_000 })),
  specPaused: fc.nat(9).map((n) => n === 0),
  previewReady: fc.boolean(),
  fullyReady: fc.boolean(),
  pre: maybe(fc.constantFrom(...PHASES)),
  post: maybe(fc.constantFrom(...PHASES)),
});
const KINDS = ["TICK", "PROMOTE", "PROMOTE_FULL", "ABORT", "RETRY", "PAUSE", "RESUME", "RESTART"] as const;
type Kind = (typeof KINDS)[number];
const actionArb = fc.record({
  kind: fc.oneof(
    { weight: 10, arbitrary: fc.constant<Kind>("TICK") },
    { weight: 1, arbitrary: fc.constantFrom<Kind>(...KINDS) },
  ),
  world: worldArb,
});

// How far a version has come; only an abort or a retry goes back.
const RANK: Record<BlueGreenState, number> = {
  Preview: 0,
  Gate: 1,
  PrePromotion: 2,
  Promotable: 3,
  Paused: 3,
  ScalingUp: 4,
  Switched: 5,
  PostPromotion: 6,
  PostPaused: 6,
  Completed: 7,
  Aborted: 8,
};
const PROMOTED: BlueGreenState[] = ["ScalingUp", "Switched", "PostPromotion", "PostPaused", "Completed"];

const sorted = (_: string, v: unknown) =>
  v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v;
const fingerprint = (s: BlueGreenSnapshot) => JSON.stringify(dehydrateBlueGreen(s), sorted);
function restart(s: BlueGreenSnapshot): BlueGreenSnapshot {
  const back = hydrateBlueGreen(JSON.parse(JSON.stringify(dehydrateBlueGreen(s))));
  assert.ok(back, "a persisted snapshot hydrates");
  return back;
}

function replay(spec: Spec, actions: { kind: Kind; world: World }[]): void {
  let s = startBlueGreen("v2", T0);
  let now = T0;
  for (const { kind, world } of actions) {
    if (kind === "RESTART") {
      s = restart(s);
      continue;
    }
    now += world.dtMs;
    const env: BlueGreenEnv = { ...spec, ...world, now };
    const events: BlueGreenEvent[] =
      kind === "TICK"
        ? []
        : kind === "ABORT"
          ? [{ type: "ABORT", env, reason: "AbortedByUser", message: "stop" }]
          : [{ type: kind, env }];
    const next = driveBlueGreen(s, events, env).snapshot;
    assert.equal(
      fingerprint(driveBlueGreen(restart(s), events, env).snapshot),
      fingerprint(next),
      "restart-safe",
    );
    assert.equal(fingerprint(restart(next)), fingerprint(next), "dehydrate → hydrate is lossless");
    check(spec, s, next, kind, env);
    s = next;
  }
}

function check(spec: Spec, s: BlueGreenSnapshot, next: BlueGreenSnapshot, kind: Kind, env: BlueGreenEnv) {
  const now = env.now;
  const was = blueGreenState(s);
  const is = blueGreenState(next);
  const why = `${kind}: ${was} → ${is}, ${JSON.stringify(env)}, context ${JSON.stringify(s.context)}`;
  const promoted = kind === "PROMOTE" || kind === "PROMOTE_FULL";
  if (is === "Aborted") assert.ok(next.context.abort, `aborted without a reason: ${why}`);
  if (was === "Completed") assert.equal(is, "Completed", `left Completed: ${why}`);
  if (kind === "RETRY" && was === "Aborted") {
    assert.equal(next.context.attempt, s.context.attempt + 1, `a retry is a new attempt: ${why}`);
  } else {
    assert.ok(RANK[is] >= RANK[was], `went back: ${why}`);
  }
  // The active Service moves only when every new pod is available, and only once per attempt.
  if (next.context.switchedAt !== s.context.switchedAt && kind !== "RETRY") {
    assert.equal(s.context.switchedAt, undefined, `switched twice: ${why}`);
    assert.ok(env.fullyReady, `switched before every pod was available: ${why}`);
  }
  // Promotion without a person: the preview was ready, pre-promotion passed, autoPromotionSeconds elapsed.
  if (!PROMOTED.includes(was) && PROMOTED.includes(is) && !promoted) {
    assert.ok(spec.autoPromotionEnabled, `promoted itself with autoPromotionEnabled false: ${why}`);
    const available = Date.parse(next.context.availableAt ?? "");
    assert.ok(
      now >= available + spec.autoPromotionSeconds * 1000,
      `promoted before autoPromotionSeconds: ${why}`,
    );
    assert.ok(
      !env.specPaused && kind !== "PAUSE" && (!s.context.userPaused || kind === "RESUME"),
      `promoted while paused: ${why}`,
    );
  }
  if (
    is === "Completed" &&
    was !== "Completed" &&
    !promoted &&
    spec.hasPostPromotion &&
    !s.context.fullPromotion
  )
    assert.equal(env.post, "Successful", `completed past post-promotion analysis: ${why}`);
  // Past the pre-promotion analysis (into Promotable or beyond) only when it succeeded, or by a person.
  const past = is !== "Paused" && is !== "Aborted" && RANK[is] >= RANK.Promotable;
  if (spec.hasPrePromotion && !s.context.fullPromotion && RANK[was] < RANK.Promotable && past && !promoted)
    assert.equal(env.pre, "Successful", `promoted past pre-promotion analysis: ${why}`);
  if (failedPre(was, env) && !promoted)
    assert.ok(!PROMOTED.includes(is), `promoted on a failed analysis: ${why}`);
}
const failedPre = (state: BlueGreenState, env: BlueGreenEnv) =>
  state === "PrePromotion" && (env.pre === "Failed" || env.pre === "Error");

describe("blue-green machine properties", () => {
  test("any history: no early or double switch, analyses gate promotion, restarts harmless", () => {
    fc.assert(
      fc.property(specArb, fc.array(actionArb, { minLength: 1, maxLength: 40 }), (spec, actions) =>
        replay(spec, actions),
      ),
      runs(500),
    );
  });
});
