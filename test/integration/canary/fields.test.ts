// Given a canary of 4 replicas routed by a Gateway API HTTPRoute, when a version ships with
// dynamicStableScale, setCanaryScale steps, or scale-down delays, then each version runs exactly the pods
// the field asks for at every step (stable shrinks as the canary's weight grows and grows back on abort;
// the canary's pods follow setCanaryScale, not the weight, until matchTrafficWeight), and the old version
// keeps its pods for exactly scaleDownDelaySeconds after a promotion (abortScaleDownDelaySeconds after an
// abort), timed from the watch history.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { gateway } from "../../support/traffic/backends.ts";
import { type RolloutVars, TrafficFixture, V2 } from "../../support/traffic/fixture.ts";
import { currentRevision, rvOf } from "../../support/traffic/routes.ts";

const REPLICAS = 4;
const HASH = "ramp.dev/pod-template-hash";
type RsStatus = { availableReplicas?: number } | undefined;
type Meta = { metadata?: { resourceVersion?: string } };

describe("canary fields on the real control plane", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("canary-fields");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  /** The HTTPRoute and the Rollout (v1 healthy), with `canary` merged into spec.strategy.canary. */
  async function given(
    v: Omit<RolloutVars, "routing">,
    canary: Record<string, unknown> = {},
  ): Promise<string> {
    await t.applyRoutes(gateway.routeFile, v.NAME);
    await t.applyRollout({ ...v, routing: gateway.routing(v.NAME) });
    if (Object.keys(canary).length > 0) await t.f.patchSpec(v.NAME, { strategy: { canary } });
    return (await t.f.waitHealthy(v.NAME)).stableRS ?? "";
  }

  /** Pods (spec.replicas) of the stable and canary ReplicaSets, and the canary's weight on the route. */
  async function world(name: string, s: RolloutStatus) {
    const rs = await t.f.replicaSets(name);
    return {
      stable: rs[`${name}-${s.stableRS}`] ?? 0,
      canary: rs[`${name}-${s.currentPodHash}`] ?? 0,
      weight: (await gateway.read(t, name)).weight,
    };
  }

  /** Every ReplicaSet version of one version of the Rollout, as the watch delivered them. */
  const versionsOf = (name: string, hash: string) =>
    t.f.history.replicaSets.filter(
      (e) => e.obj.metadata?.labels?.["ramp.dev/rollout"] === name && e.obj.metadata?.labels?.[HASH] === hash,
    );

  /** The canary weight the route showed just before resourceVersion `rv` (0 before any version). */
  const weightBefore = (name: string, rv: number): number =>
    t.routes.versions
      .filter((v) => v.rv < rv && gateway.weightOf(v, name) !== undefined)
      .reduce((_, v) => gateway.weightOf(v, name) ?? 0, 0);

  /** spec.replicas of a version as it changed, consecutive repeats dropped. */
  const scaleSequence = (name: string, hash: string): number[] =>
    versionsOf(name, hash)
      .map((e) => Number(e.obj.spec?.replicas ?? 0))
      .filter((n, i, all) => i === 0 || all[i - 1] !== n);

  test("dynamicStableScale: stable shrinks to 3 at 25% and 2 at 50%, only after the route moved; an abort grows it back to 4 before the canary leaves", async (ctx: TestContext) => {
    const name = "dynamic";
    const v1 = await given(
      { NAME: name, steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 50 }, { pause: {} }] },
      { dynamicStableScale: true },
    );
    await t.f.setImage(name, V2);
    const at25 = await t.pausedAt(name, 1);
    // Without dynamicStableScale a routed canary keeps stable at full scale: stable would be 4 here.
    assert.deepEqual(await world(name, at25), { stable: 3, canary: 1, weight: 25 }, "at 25%");
    await t.f.actions.promote(name);
    const at50 = await t.pausedAt(name, 3);
    assert.deepEqual(await world(name, at50), { stable: 2, canary: 2, weight: 50 }, "at 50%");

    // Stable never had fewer pods than the traffic the route still gave it needs.
    for (const e of versionsOf(name, v1)) {
      const w = weightBefore(name, rvOf(e.obj as Meta));
      const replicas = Number(e.obj.spec?.replicas ?? 0);
      assert.ok(
        replicas >= REPLICAS - Math.ceil((w * REPLICAS) / 100),
        `stable at ${replicas} pods while the route gave it ${100 - w}% (rv ${rvOf(e.obj as Meta)})`,
      );
    }

    const from = await currentRevision(t.f.kc, t.namespace);
    await t.f.actions.abort(name);
    const hash = at50.currentPodHash ?? "";
    await waitFor(async () => (await t.f.replicaSets(name))[`${name}-${hash}`] === 0, {
      what: "the aborted canary at 0",
      timeoutMs: 60_000,
    });
    const full = await waitFor(
      () =>
        versionsOf(name, v1).find(
          (e) =>
            rvOf(e.obj as Meta) > from &&
            Number(e.obj.spec?.replicas) === REPLICAS &&
            ((e.obj.status as RsStatus)?.availableReplicas ?? 0) >= REPLICAS,
        ),
      { what: "stable back at 4 available pods after the abort" },
    );
    const zero = await waitFor(
      () => t.routes.versions.find((v) => v.rv > from && gateway.weightOf(v, name) === 0),
      { what: "the route at 0% after the abort" },
    );
    const shrink = await waitFor(() => t.firstCanaryShrink(name, hash, from), {
      what: "the canary's first shrink after the abort",
    });
    ctx.diagnostic(
      `stable at 4 available: rv ${rvOf(full.obj as Meta)}; 0%: rv ${zero.rv}; canary shrank: rv ${shrink}`,
    );
    assert.ok(
      rvOf(full.obj as Meta) < zero.rv,
      "traffic went back to stable only once stable had 4 pods available",
    );
    assert.ok(zero.rv < shrink, "the canary shrank only once the route gave it nothing");
    assert.deepEqual(
      await t.f.replicaSets(name),
      { [`${name}-${v1}`]: REPLICAS, [`${name}-${hash}`]: 0 },
      "after the abort",
    );
  });

  test("setCanaryScale: the canary runs 3, then 50% of replicas, whatever the weight; matchTrafficWeight returns it to the weight", async () => {
    const name = "scale";
    const v1 = await given({
      NAME: name,
      steps: [
        { setCanaryScale: { replicas: 3 } },
        { pause: {} },
        { setWeight: 25 },
        { pause: {} },
        { setCanaryScale: { weight: 50 } },
        { pause: {} },
        { setCanaryScale: { matchTrafficWeight: true } },
        { pause: {} },
        { setWeight: 75 },
        { pause: {} },
      ],
    });
    await t.f.setImage(name, V2);
    // Step → pods and weight; by the weight alone the canary would have 0, 1, 1, 1, 3 pods.
    const expected = [
      [1, { stable: REPLICAS, canary: 3, weight: 0 }],
      [3, { stable: REPLICAS, canary: 3, weight: 25 }],
      [5, { stable: REPLICAS, canary: 2, weight: 25 }],
      [7, { stable: REPLICAS, canary: 1, weight: 25 }],
      [9, { stable: REPLICAS, canary: 3, weight: 75 }],
    ] as const;
    let hash = "";
    for (const [index, want] of expected) {
      const s = await t.pausedAt(name, index);
      hash = s.currentPodHash ?? "";
      assert.deepEqual(await world(name, s), want, `paused at step ${index}`);
      await t.f.actions.promote(name);
    }
    const done = await t.f.waitHealthy(name);
    assert.equal(done.stableRS, hash);
    await waitFor(() => scaleSequence(name, v1).at(-1) === 0, {
      what: "the old stable at 0 in the watch history",
    });
    // The canary's ReplicaSet was created at 3 and never took any count the steps did not ask for.
    assert.deepEqual(scaleSequence(name, hash), [3, 2, 1, 3, REPLICAS]);
    assert.deepEqual(scaleSequence(name, v1), [REPLICAS, 0], "stable kept its 4 pods until it left");
  });

  test("scaleDownDelaySeconds: after the promotion the old stable keeps its 4 pods for 6 s, then leaves", async (ctx: TestContext) => {
    const name = "delay";
    const delayMs = 6000;
    const v1 = await given({
      NAME: name,
      scaleDownDelay: delayMs / 1000,
      abortDelay: 2,
      steps: [{ setWeight: 50 }, { pause: {} }, { setWeight: 100 }, { pause: {} }],
    });
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    await t.f.actions.promote(name);
    // At 100% the canary already has every pod: the promotion completes the rollout in one reconcile.
    const last = await t.pausedAt(name, 3);
    assert.deepEqual(await world(name, last), { stable: REPLICAS, canary: REPLICAS, weight: 100 });
    const { intent } = await t.f.actions.promote(name);
    const promotedAt = Date.parse(intent.requestedAt);
    await t.f.waitHealthy(name);
    // Generous, so that a default (30 s) delay shows up as a measurement, not a timeout.
    const down = await waitFor(
      () =>
        t.f.history
          .replicaSetScales(name)
          .find((e) => e.hash === v1 && e.at >= promotedAt && e.replicas < REPLICAS),
      { what: "the old stable's first scale-down", timeoutMs: 45_000 },
    );
    const kept = down.at - promotedAt;
    ctx.diagnostic(`the old stable first scaled down (to ${down.replicas}) ${kept} ms after the promotion`);
    assert.ok(
      kept >= delayMs && kept <= delayMs + 3000,
      `old stable kept its pods ${kept} ms after the promotion, want [${delayMs}, ${delayMs + 3000}]`,
    );
    assert.equal(down.replicas, 0, "then left at once");
  });

  test("abortScaleDownDelaySeconds: after an abort the canary keeps its pods for 5 s, then leaves", async (ctx: TestContext) => {
    const name = "abortdelay";
    const delayMs = 5000;
    await given({
      NAME: name,
      scaleDownDelay: 2,
      abortDelay: delayMs / 1000,
      steps: [{ setWeight: 50 }, { pause: {} }],
    });
    await t.f.setImage(name, V2);
    const paused = await t.pausedAt(name, 1);
    const hash = paused.currentPodHash ?? "";
    assert.deepEqual(await world(name, paused), { stable: REPLICAS, canary: 2, weight: 50 });
    const { intent } = await t.f.actions.abort(name);
    const abortedAt = Date.parse(intent.requestedAt);
    const down = await waitFor(
      () =>
        t.f.history
          .replicaSetScales(name)
          .find((e) => e.hash === hash && e.at >= abortedAt && e.replicas < 2),
      { what: "the aborted canary's first scale-down", timeoutMs: 45_000 },
    );
    const kept = down.at - abortedAt;
    ctx.diagnostic(`the aborted canary first scaled down (to ${down.replicas}) ${kept} ms after the abort`);
    assert.ok(
      kept >= delayMs && kept <= delayMs + 3000,
      `aborted canary kept its pods ${kept} ms after the abort, want [${delayMs}, ${delayMs + 3000}]`,
    );
    assert.equal(down.replicas, 0);
    assert.equal((await gateway.read(t, name)).weight, 0, "no traffic on the aborted canary");
  });
});
