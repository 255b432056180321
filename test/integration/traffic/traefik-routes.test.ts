// Given Traefik v3 as the Gateway API implementation, when a canary uses ramp's managed routes, then a
// header route sends every request with the header, and none without it, to the canary; and a mirror
// route, which Traefik does not implement (its GatewayClass does not list HTTPRouteRequestMirror, and it
// answers 500 to a rule with that filter), is refused by ramp with RouterUnsupported instead of written.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { gateway, MANAGED } from "../../support/traffic/backends.ts";
import { GITOPS, TrafficFixture, V1, V2 } from "../../support/traffic/fixture.ts";
import { applyAs } from "../../support/traffic/routes.ts";

describe("traffic through Traefik: header and mirror routes", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traefik-routes", { traefik: true });
    await t.f.startController();
  });
  after(() => t?.cleanup());

  test("Traefik: setHeaderRoute sends all 2,000 requests with X-Canary: yes to the canary and none of 2,000 without it", async (ctx: TestContext) => {
    const name = "header";
    const { stable, canary } = gateway.services(name);
    await t.applyRoutes(gateway.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: gateway.routing(name),
      // Weight 0 throughout: one canary pod for the header route to reach, and no weighted share for it.
      steps: [
        { setCanaryScale: { replicas: 1 } },
        {
          setHeaderRoute: {
            name: "canary-header",
            match: [{ headerName: "X-Canary", headerValue: { exact: "yes" } }],
          },
        },
        { pause: {} },
      ],
    });
    await t.f.waitHealthy(name);
    const plane = await t.plane("traefik", name);
    const host = `${name}.example.com`;
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 2);
    assert.deepEqual(await gateway.read(t, name), { weight: 0, total: 100, managed: ["canary-header"] });
    const serving = { [stable]: V1, [canary]: V2 };
    const tagged = await t.share(plane, V2, { host, serving, headers: { "x-canary": "yes" } });
    const plain = await t.share(plane, V2, { host, serving });
    const other = await t.share(plane, V2, { host, serving, headers: { "x-canary": "no" } });
    ctx.diagnostic(
      `canary share: with X-Canary: yes ${tagged.percent}%, without ${plain.percent}%, with X-Canary: no ${other.percent}%`,
    );
    assert.equal(tagged.percent, 100, "every request with the header reaches the canary");
    assert.equal(plain.percent, 0, "no request without it does");
    assert.equal(other.percent, 0, "nor one with another value");

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    assert.deepEqual(
      await gateway.read(t, name),
      { weight: 0, total: 100, managed: [] },
      "the header rule is gone",
    );
    assert.equal((await t.share(plane, V2, { host, serving: { [stable]: V2 } })).percent, 100);
  });

  test("Traefik: a RequestMirror rule makes Traefik answer 500, so ramp refuses setMirrorRoute (RouterUnsupported, naming the GatewayClass) and stable keeps serving", async (ctx: TestContext) => {
    // What a mirror rule does on Traefik, written by hand: every request it matches fails.
    const probe = "mirror-probe";
    await t.applyRoutes(gateway.routeFile, probe);
    await applyAs(
      GITOPS,
      t.namespace,
      JSON.stringify({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: probe },
        spec: {
          parentRefs: [{ name: "gateway" }],
          hostnames: [`${probe}.example.com`],
          rules: [
            {
              filters: [
                {
                  type: "RequestMirror",
                  requestMirror: { backendRef: { name: `${probe}-canary`, port: 80 } },
                },
              ],
              backendRefs: [{ name: `${probe}-stable`, port: 80 }],
            },
          ],
        },
      }),
    );
    const traefik = t.traefik;
    assert.ok(traefik);
    // Once Traefik has loaded the route (404 until then).
    const answer = await waitFor(
      async () => {
        const a = await traefik.send({ host: `${probe}.example.com` });
        return a.status !== 404 && a;
      },
      { what: "Traefik to load the RequestMirror route", timeoutMs: 30_000, intervalMs: 100 },
    );
    ctx.diagnostic(`a request matched by a RequestMirror rule: ${answer.status} ${answer.body}`);
    assert.equal(answer.status, 500, "Traefik fails what a RequestMirror rule matches");

    const name = "mirror";
    const { stable } = gateway.services(name);
    await t.applyRoutes(gateway.routeFile, name);
    const steps = [{ setWeight: 20 }, { pause: {} }];
    await t.applyRollout({ NAME: name, routing: gateway.routing(name), steps });
    await t.f.waitHealthy(name);
    const plane = await t.plane("traefik", name);
    const host = `${name}.example.com`;
    const mirror = { setMirrorRoute: { name: "mirror", percentage: 50, match: [{ path: { prefix: "/" } }] } };
    await t.f.patchSpec(name, {
      strategy: { canary: { steps: [{ setWeight: 20 }, mirror, { pause: {} }] } },
    });
    await t.f.setImage(name, V2);
    const s = await t.f.waitStatus(name, "Stalled RouterUnsupported", (x) =>
      (x.conditions ?? []).some((c) => c.type === "Stalled" && c.reason === "RouterUnsupported"),
    );
    const message = s.conditions?.find((c) => c.type === "Stalled")?.message ?? "";
    ctx.diagnostic(`ramp: ${message}`);
    assert.match(
      message,
      new RegExp(
        `steps\\[1\\]\\.setMirrorRoute: HTTPRoute "mirror" is served by Gateway "gateway" of GatewayClass "${traefik.className}" \\(traefik\\.io/gateway-controller\\), whose status\\.supportedFeatures does not list HTTPRouteRequestMirror`,
      ),
    );
    const route = await t.route("HTTPRoute", name);
    const rules = (route?.spec?.rules as { name?: string; filters?: unknown[] }[]) ?? [];
    assert.deepEqual(
      rules.map((r) => r.name),
      ["admin", "main"],
      "no mirror rule was written",
    );
    assert.equal(
      gateway.weightOf(
        { type: "MODIFIED", kind: "HTTPRoute", rv: 0, obj: route ?? { metadata: { name } } },
        name,
      ),
      0,
    );
    const still = await t.share(plane, V2, { host, serving: { [stable]: V1 } });
    assert.equal(still.measured.byVersion[V1], 2000, "stable answers every request");

    // Without the step the same version ships.
    await t.f.patchSpec(name, { strategy: { canary: { steps } } });
    await t.pausedAt(name, 1);
    assert.deepEqual(await gateway.read(t, name), { weight: 20, total: 100, managed: [] });
    assert.deepEqual(
      MANAGED.map((m) => m.name),
      ["canary-header", "mirror"],
    );
  });
});
