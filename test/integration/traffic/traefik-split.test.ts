// Given Traefik v3 as the Gateway API implementation (its kubernetesGateway provider, a Gateway on
// 127.0.0.1) and a stand-in on every pod's loopback twin, when a healthy version ships through a
// 10 → 25 → 50 → 100% canary, then each step's share of 2,000 real requests is within ±2 points of its
// weight, and no request fails from the first weight change to the old version's last pod gone.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { gateway } from "../../support/traffic/backends.ts";
import { assertShare, TrafficFixture, V1, V2 } from "../../support/traffic/fixture.ts";
import { Load } from "../../support/traffic/load.ts";

describe("traffic through Traefik: the canary's share at every step", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traefik-split", { traefik: true });
    await t.f.startController();
  });
  after(() => t?.cleanup());

  test("Traefik: 10/25/50/100% steps each within ±2 points over 2,000 requests; zero failed requests through every weight change and the final switch; no request reaches a pod that is not Ready", async (ctx: TestContext) => {
    const name = "split";
    const { stable, canary } = gateway.services(name);
    const traefik = t.traefik;
    const pods = t.pods;
    assert.ok(traefik && pods);
    await t.applyRoutes(gateway.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: gateway.routing(name),
      steps: [
        { setWeight: 10 },
        { pause: {} },
        { setWeight: 25 },
        { pause: {} },
        { setWeight: 50 },
        { pause: {} },
        { setWeight: 100 },
        { pause: {} },
      ],
    });
    const v1 = await t.f.waitHealthy(name);
    const plane = await t.plane("traefik", name);
    const host = `${name}.example.com`;
    assert.equal((await t.share(plane, V2, { host, serving: { [stable]: V1 } })).percent, 0);

    const load = new Load(traefik, { host, concurrency: 2, pauseMs: 5 });
    await t.f.setImage(name, V2);
    const shares: string[] = [];
    for (const [index, weight] of [
      [1, 10],
      [3, 25],
      [5, 50],
      [7, 100],
    ] as const) {
      await t.pausedAt(name, index);
      const live = weight < 100 ? { [stable]: V1, [canary]: V2 } : { [canary]: V2 };
      const { percent } = await t.share(plane, V2, { host, serving: live });
      shares.push(`${weight}%→${percent.toFixed(2)}%`);
      ctx.diagnostic(
        `step ${index} (weight ${weight}%): canary answered ${percent.toFixed(2)}% of 2000 requests`,
      );
      assertShare(percent, weight, `step ${index}`, 2);
      await t.f.actions.promote(name);
    }
    const done = await t.f.waitHealthy(name);
    // The old version keeps its pods until its scale-down deadline, then they go: keep sending until then.
    const oldRs = `${name}-${v1.stableRS}`;
    await waitFor(async () => (await t.f.replicaSets(name))[oldRs] === 0, {
      what: `${oldRs} scaled to 0`,
      timeoutMs: 60_000,
    });
    await waitFor(() => !pods.versions().includes(V1), {
      what: `the last ${V1} pod gone`,
      timeoutMs: 30_000,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const result = await load.stop();
    ctx.diagnostic(
      `background load: ${result.sent} requests (${JSON.stringify(result.byVersion)}), ${result.failures.length} failed; shares ${shares.join(", ")}`,
    );
    assert.deepEqual(result.failures, [], "no request failed across the whole canary");
    assert.equal(pods.unready, 0, "no request reached a pod that was not Ready");
    assert.ok((result.byVersion[V1] ?? 0) > 0 && (result.byVersion[V2] ?? 0) > 0, "both versions served");
    const after = await t.share(plane, V2, { host, serving: { [stable]: V2 } });
    assert.equal(after.percent, 100, "the new version is stable");
    assert.equal((await t.f.replicaSets(name))[`${name}-${done.stableRS}`], 4);
  });
});
