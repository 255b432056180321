// Given Rollouts routed by Istio (validated by the real apiserver) and a proxy that moves real requests
// by the live route objects, when versions ship, then traffic follows every step.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { istio } from "../../support/traffic/backends.ts";
import { assertShare, TrafficFixture, V1, V2 } from "../../support/traffic/fixture.ts";
import type { RouteObj } from "../../support/traffic/routes.ts";
import { canaryScenarios, mirrorScenario, replaceScenario } from "../../support/traffic/scenarios.ts";

describe("traffic routing: Istio", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-istio");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  canaryScenarios(istio, () => t);
  replaceScenario(istio, () => t);
  mirrorScenario(istio, () => t);

  test("Istio by Service hosts (short and fully qualified): weights and a header route move real traffic", async (ctx) => {
    const name = "hosts";
    await t.applyRoutes("virtualservice-hosts.yaml", name);
    await t.applyRollout({
      NAME: name,
      routing: { istio: { virtualService: { name } }, managedRoutes: [{ name: "canary-header" }] },
      steps: [
        { setWeight: 30 },
        { pause: {} },
        {
          setHeaderRoute: {
            name: "canary-header",
            match: [{ headerName: "X-Canary", headerValue: { prefix: "ye" } }],
          },
        },
        { pause: {} },
      ],
    });
    await t.f.waitHealthy(name);
    const proxy = await t.proxy({ kind: "istio", virtualService: name });
    const host = `${name}.example.com`;
    const serving = { [`${name}-stable`]: V1, [`${name}-canary`]: V2 };
    type Http = {
      name?: string;
      match?: { headers?: Record<string, unknown> }[];
      route?: { destination: { host: string }; weight?: number }[];
    };
    const http = (o: RouteObj | undefined) => (o?.spec?.http as Http[] | undefined) ?? [];
    const weights = async () =>
      http(await t.route("VirtualService", name))
        .filter((r) => !r.name)
        .flatMap((r) => (r.route ?? []).map((d) => `${d.destination.host}=${d.weight}`));
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    assert.deepEqual(await weights(), [
      `${name}-stable=70`,
      `${name}-canary.${t.namespace}.svc.cluster.local=30`,
    ]);
    const at30 = await t.share(proxy, V2, { host, serving });
    ctx.diagnostic(`weight 30: canary share ${at30.percent}%`);
    assertShare(at30.percent, 30, "weight 30");

    await t.f.actions.promote(name);
    await t.pausedAt(name, 3);
    const vs = await t.route("VirtualService", name);
    assert.deepEqual(
      http(vs).map((r) => r.name ?? "(weighted)"),
      ["canary-header", "(weighted)"],
      "first match wins: the header route goes first",
    );
    assert.deepEqual(http(vs)[0]?.match, [{ headers: { "x-canary": { prefix: "ye" } } }]);
    assert.equal((await t.share(proxy, V2, { host, serving, headers: { "x-canary": "yes" } })).percent, 100);
    assertShare((await t.share(proxy, V2, { host, serving })).percent, 30, "without the header");

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    assert.deepEqual(await weights(), [
      `${name}-stable=100`,
      `${name}-canary.${t.namespace}.svc.cluster.local=0`,
    ]);
    assert.equal(http(await t.route("VirtualService", name)).length, 1, "the header route is gone");
    assert.equal((await t.share(proxy, V2, { host, serving: { [`${name}-stable`]: V2 } })).percent, 100);
  });
});
