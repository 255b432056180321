// The scenarios every traffic router must pass, with real requests through the proxy: a full canary with
// a header route, an abort, and a controller crash. Each test file runs them against its backend.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type TestContext, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { SCALE_DOWN_AT_ANNOTATION } from "../../../src/api/labels.ts";
import { ROUTE_APIS } from "../../../src/traffic/apis.ts";
import type { Backend } from "./backends.ts";
import { assertShare, type TrafficFixture, V1, V2, V3 } from "./fixture.ts";
import { currentRevision, type RouteObj, rvOf } from "./routes.ts";

const HEADER = {
  setHeaderRoute: {
    name: "canary-header",
    match: [{ headerName: "X-Canary", headerValue: { exact: "yes" } }],
  },
};

/** Every recorded version of the backend's objects kept what the GitOps tool set. */
function assertHistoryKept(b: Backend, t: TrafficFixture, name: string): void {
  const versions = t.routes.versions.filter((v) => b.kinds.includes(v.kind) && v.type !== "DELETED");
  const own = versions.filter((v) => v.obj.metadata.name === name);
  assert.ok(own.length > 0, "the route objects were recorded");
  for (const v of own) b.gitopsKept(v.obj, name);
}

/** A counter from the controller's /metrics, summed over the label sets that contain `match`. */
async function metric(url: string, name: string, match = ""): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith(name) && l.includes(match))
    .reduce((a, l) => a + Number(l.split(" ").pop()), 0);
}

export function canaryScenarios(b: Backend, fixture: () => TrafficFixture): void {
  test(`${b.label}: a full canary 10% → header route → 50% → 100% moves real traffic at every step; GitOps fields survive`, async (ctx: TestContext) => {
    const t = fixture();
    const name = "full";
    const { stable, canary } = b.services(name);
    await t.applyRoutes(b.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: b.routing(name),
      steps: [
        { setWeight: 10 },
        { pause: {} },
        HEADER,
        { pause: {} },
        { setHeaderRoute: { name: "canary-header" } },
        { setWeight: 50 },
        { pause: {} },
        { setWeight: 100 },
        { pause: {} },
      ],
    });
    const v1 = await t.f.waitHealthy(name);
    const plane = await t.plane(b.plane(name), name);
    const host = `${name}.example.com`;
    assert.deepEqual(await b.read(t, name), { weight: 0, total: 100, managed: [] });
    assert.equal((await t.share(plane, V2, { host, serving: { [stable]: V1 } })).percent, 0);

    await t.f.setImage(name, V2);
    for (const [index, weight] of [
      [1, 10],
      [3, 10],
      [6, 50],
      [8, 100],
    ] as const) {
      await t.pausedAt(name, index);
      const withHeader = index === 3;
      assert.deepEqual(
        await b.read(t, name),
        { weight, total: 100, managed: withHeader ? ["canary-header"] : [] },
        `step ${index}: the route object`,
      );
      const live = weight < 100 ? { [stable]: V1, [canary]: V2 } : { [canary]: V2 };
      const { percent } = await t.share(plane, V2, { host, serving: live });
      ctx.diagnostic(
        `step ${index} (weight ${weight}%): canary share ${percent.toFixed(2)}% of 2000 requests`,
      );
      assertShare(percent, weight, `step ${index}`);
      if (withHeader) {
        const tagged = await t.share(plane, V2, { host, serving: live, headers: { "x-canary": "yes" } });
        ctx.diagnostic(`step ${index}: with X-Canary: yes, canary share ${tagged.percent}%`);
        assert.equal(tagged.percent, 100, "every request with X-Canary: yes reaches the canary");
      }
      await t.f.actions.promote(name);
    }

    const done = await t.f.waitHealthy(name);
    assert.deepEqual(
      await b.read(t, name),
      { weight: 0, total: 100, managed: [] },
      "all to stable, no managed routes",
    );
    const after = await t.share(plane, V2, { host, serving: { [stable]: V2 } });
    ctx.diagnostic(`completed: the new stable version got ${after.percent}% of 2000 requests`);
    assert.equal(after.percent, 100, "stable is the new version now");

    // The old version stayed up after the switch until its deadline (data on its ReplicaSet), then left.
    const oldName = `${name}-${v1.stableRS}`;
    const events = () => t.f.history.replicaSets.filter((e) => e.obj.metadata?.name === oldName);
    type Event = ReturnType<typeof events>[number];
    const annotations = (e: Event) =>
      (e.obj.metadata as { annotations?: Record<string, string> }).annotations;
    const stampedOf = () => events().find((e) => annotations(e)?.[SCALE_DOWN_AT_ANNOTATION]);
    const shrunk = await waitFor(
      () => {
        const st = stampedOf();
        return (
          st &&
          events().find(
            (e) => Number(e.obj.spec?.replicas) === 0 && rvOf(e.obj as RouteObj) > rvOf(st.obj as RouteObj),
          )
        );
      },
      {
        what: `${oldName} stamped with a ${SCALE_DOWN_AT_ANNOTATION} deadline, then scaled to 0`,
        timeoutMs: 60_000,
      },
    );
    const stamped = stampedOf();
    assert.ok(stamped);
    assert.equal(Number(stamped.obj.spec?.replicas), 4, "still at full scale when the deadline was set");
    const at = Date.parse(annotations(stamped)?.[SCALE_DOWN_AT_ANNOTATION] ?? "");
    assert.ok(shrunk.at >= at, "not before its deadline");
    assert.equal((await t.f.replicaSets(name))[`${name}-${done.stableRS}`], 4);
    assertHistoryKept(b, t, name);
  });

  test(`${b.label}: an abort puts 0% on the canary before its ReplicaSet shrinks; then no request reaches it`, async (ctx: TestContext) => {
    const t = fixture();
    const name = "abort";
    const { stable, canary } = b.services(name);
    await t.applyRoutes(b.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: b.routing(name),
      steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    const plane = await t.plane(b.plane(name), name);
    const host = `${name}.example.com`;
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    await t.f.actions.promote(name);
    const paused = await t.pausedAt(name, 3);
    assert.equal((await b.read(t, name)).weight, 50);
    assertShare(
      (await t.share(plane, V2, { host, serving: { [stable]: V1, [canary]: V2 } })).percent,
      50,
      "before the abort",
    );

    const abortFrom = await currentRevision(t.f.kc, t.namespace);
    await t.f.actions.abort(name);
    await t.f.waitStatus(
      name,
      "aborted",
      (s) => s.phase === "Degraded" && s.abort?.reason === "AbortedByUser",
    );
    const hash = paused.currentPodHash ?? "";
    await waitFor(async () => (await t.f.replicaSets(name))[`${name}-${hash}`] === 0, {
      what: "the canary ReplicaSet at 0",
      timeoutMs: 60_000,
    });
    // Both watches have delivered what the apiserver already shows (they may trail a GET a little).
    const zero = await waitFor(
      () => t.routes.versions.find((v) => v.rv > abortFrom && b.weightOf(v, name) === 0),
      {
        what: "a route version with 0% canary after the abort",
      },
    );
    const shrink = await waitFor(() => t.firstCanaryShrink(name, hash), {
      what: "the canary ReplicaSet's shrink",
    });
    ctx.diagnostic(`0% written at resourceVersion ${zero.rv}; canary ReplicaSet first shrank at ${shrink}`);
    assert.ok(zero.rv < shrink, `0% (rv ${zero.rv}) was written before the canary shrank (rv ${shrink})`);
    assert.deepEqual(await b.read(t, name), { weight: 0, total: 100, managed: [] });

    const servedBefore = plane.served(V2);
    const after = await t.share(plane, V2, { host, serving: { [stable]: V1 } });
    ctx.diagnostic(`after the abort: canary share ${after.percent}% of 2000 requests`);
    assert.equal(after.measured.byVersion[V2] ?? 0, 0, "no request reaches the canary after the abort");
    assert.equal(plane.served(V2), servedBefore, "the canary stand-in served nothing");
    assert.equal(after.measured.byVersion[V1], 2000);
    assertHistoryKept(b, t, name);
  });

  test(`${b.label}: a controller killed mid-rollout comes back without touching the weights`, async (ctx: TestContext) => {
    const t = fixture();
    const name = "crash";
    const { stable, canary } = b.services(name);
    await t.applyRoutes(b.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: b.routing(name),
      steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    const plane = await t.plane(b.plane(name), name);
    const host = `${name}.example.com`;
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    await t.f.actions.promote(name);
    await t.pausedAt(name, 3);
    const shown = await b.read(t, name);
    assert.equal(shown.weight, 50);
    const revision = await currentRevision(t.f.kc, t.namespace);

    const plurals = b.kinds.map((k) => ROUTE_APIS[k].plural);
    const routeWrites = async (url: string) => {
      let n = 0;
      for (const verb of ["patch", "delete", "create"])
        for (const plural of plurals)
          n += await metric(url, "ramp_kube_api_requests_total", `verb="${verb}",resource="${plural}"`);
      return n;
    };
    const first = t.f.controllers.at(-1);
    assert.ok(
      first && (await routeWrites(first.metricsUrl)) > 0,
      "the first controller's route writes are counted",
    );
    for (const c of t.f.controllers) await c.kill();
    const next = await t.f.startController();
    // The new process has reconciled this Rollout (its debug log names each key it reconciles).
    const key = `"key":"${t.namespace}/${name}"`;
    await waitFor(
      () =>
        readFileSync(next.logFile, "utf8")
          .split("\n")
          .some((l) => l.includes(key) && l.includes('"reconciled"')),
      {
        what: "the new controller to reconcile the Rollout",
        timeoutMs: 30_000,
      },
    );
    const written = await routeWrites(next.metricsUrl);
    ctx.diagnostic(`after the restart the new controller made ${written} writes to ${plurals.join(", ")}`);
    assert.equal(written, 0, "the new controller wrote no route object");
    assert.deepEqual(await b.read(t, name), shown, "the weights are unchanged");
    const routeKinds = new Set<string>(b.kinds);
    const changed = t.routes.versions.filter((v) => v.rv > revision && routeKinds.has(v.kind));
    assert.deepEqual(
      changed.map((v) => `${v.type} ${v.kind}/${v.obj.metadata.name}`),
      [],
      "no route was written",
    );
    assertShare(
      (await t.share(plane, V2, { host, serving: { [stable]: V1, [canary]: V2 } })).percent,
      50,
      "after the restart",
    );

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    assert.deepEqual(await b.read(t, name), { weight: 0, total: 100, managed: [] });
    assert.equal((await t.share(plane, V2, { host, serving: { [stable]: V2 } })).percent, 100);
  });
}

/** A newer version replaces the canary mid-rollout: the old canary's traffic goes before its pods do. */
export function replaceScenario(b: Backend, fixture: () => TrafficFixture): void {
  test(`${b.label}: a newer version mid-rollout takes the canary's traffic only once its pods are up`, async (ctx: TestContext) => {
    const t = fixture();
    const name = "replace";
    const { stable, canary } = b.services(name);
    await t.applyRoutes(b.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: b.routing(name),
      steps: [{ setWeight: 50 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    const plane = await t.plane(b.plane(name), name);
    const host = `${name}.example.com`;
    await t.f.setImage(name, V2);
    const v2 = await t.pausedAt(name, 1);
    assertShare(
      (await t.share(plane, V2, { host, serving: { [stable]: V1, [canary]: V2 } })).percent,
      50,
      "v2 at 50%",
    );

    const from = await currentRevision(t.f.kc, t.namespace);
    await t.f.setImage(name, V3);
    const v3 = await t.f.waitStatus(
      name,
      "v3 paused at step 1",
      (s) => s.phase === "Paused" && s.currentStepIndex === 1 && s.currentPodHash !== v2.currentPodHash,
      90_000,
    );
    const weights = () => t.routes.versions.filter((v) => v.rv > from && b.weightOf(v, name) !== undefined);
    const zero = await waitFor(() => weights().find((v) => b.weightOf(v, name) === 0), {
      what: "0% after v3 shipped",
    });
    const v2Shrink = await waitFor(() => t.firstCanaryShrink(name, v2.currentPodHash ?? "", from), {
      what: "v2's ReplicaSet shrinking",
    });
    const back = await waitFor(
      () => weights().find((v) => v.rv > zero.rv && (b.weightOf(v, name) ?? 0) > 0),
      {
        what: "weight back on the canary (v3)",
      },
    );
    const v3Up = t.f.history.replicaSets.find(
      (e) =>
        e.obj.metadata?.labels?.["ramp.dev/pod-template-hash"] === v3.currentPodHash &&
        Number((e.obj.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0) > 0,
    );
    assert.ok(v3Up, "v3 had available pods");
    const rv = (o: unknown) => rvOf(o as RouteObj);
    ctx.diagnostic(
      `0% at rv ${zero.rv}, v2 shrank at ${v2Shrink}, v3 available at ${rv(v3Up.obj)}, weight back at ${back.rv}`,
    );
    assert.ok(zero.rv < v2Shrink, "v2's traffic left before its pods");
    assert.ok(rv(v3Up.obj) < back.rv, "v3 got weight only once it had available pods");
    const m = await t.share(plane, V3, { host, serving: { [stable]: V1, [canary]: V3 } });
    ctx.diagnostic(`v3 at 50%: ${m.percent}%, v2 got ${m.measured.byVersion[V2] ?? 0} requests`);
    assertShare(m.percent, 50, "v3 at 50%");
    assert.equal(m.measured.byVersion[V2] ?? 0, 0, "no request reaches the replaced version");
  });
}

/** setMirrorRoute: a share of matching requests is copied to the canary; removed when the rollout completes. */
export function mirrorScenario(b: Backend, fixture: () => TrafficFixture): void {
  test(`${b.label}: a mirror route copies 50% of requests to the canary while 20% are served by it`, async (ctx: TestContext) => {
    const t = fixture();
    const name = "mirror";
    const { stable, canary } = b.services(name);
    await t.applyRoutes(b.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: b.routing(name),
      steps: [
        { setWeight: 20 },
        { setMirrorRoute: { name: "mirror", percentage: 50, match: [{ path: { prefix: "/" } }] } },
        { pause: {} },
      ],
    });
    await t.f.waitHealthy(name);
    const plane = await t.plane(b.plane(name), name);
    const host = `${name}.example.com`;
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 2);
    assert.deepEqual(await b.read(t, name), { weight: 20, total: 100, managed: ["mirror"] });
    const mirroredBefore = plane.mirrored(V2);
    const { percent } = await t.share(plane, V2, { host, serving: { [stable]: V1, [canary]: V2 } });
    const mirrored = ((plane.mirrored(V2) - mirroredBefore) * 100) / 2000;
    ctx.diagnostic(`served by the canary ${percent}%, mirrored to it ${mirrored}% of 2000 requests`);
    assertShare(percent, 20, "served");
    assertShare(mirrored, 50, "mirrored");

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    assert.deepEqual(
      await b.read(t, name),
      { weight: 0, total: 100, managed: [] },
      "the mirror route is gone",
    );
    const before = plane.mirrored(V2);
    await t.share(plane, V2, { host, serving: { [stable]: V2 } });
    assert.equal(plane.mirrored(V2), before, "nothing is mirrored after completion");
  });
}

/** maxTrafficWeight: setWeight values are out of this total (canary-weight-total semantics). */
export function maxWeightScenario(b: Backend, fixture: () => TrafficFixture): void {
  test(`${b.label}: maxTrafficWeight 200 makes setWeight 50 a 25% share`, async (ctx: TestContext) => {
    const t = fixture();
    const name = "total";
    const { stable, canary } = b.services(name);
    await t.applyRoutes(b.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: b.routing(name, { maxTrafficWeight: 200 }),
      steps: [{ setWeight: 50 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    const plane = await t.plane(b.plane(name), name);
    const host = `${name}.example.com`;
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    const shown = await b.read(t, name);
    assert.deepEqual([shown.weight, shown.total], [50, 200]);
    const status = await t.f.rollout(name);
    assert.deepEqual(
      status.status?.canary && [status.status.canary.weight, status.status.canary.stableWeight],
      [50, 150],
    );
    const { percent } = await t.share(plane, V2, { host, serving: { [stable]: V1, [canary]: V2 } });
    ctx.diagnostic(`weight 50 of 200: canary share ${percent}% of 2000 requests`);
    assertShare(percent, 25, "50 of 200");
    // ceil(25% of 4) canary pods: the pod count follows the share, not the raw weight.
    assert.equal((await t.f.replicaSets(name))[`${name}-${status.status?.currentPodHash}`], 1);

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    assert.equal((await b.read(t, name)).weight, 0);
    assert.equal((await t.share(plane, V2, { host, serving: { [stable]: V2 } })).percent, 100);
  });
}
