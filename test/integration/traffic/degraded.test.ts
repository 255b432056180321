// Route objects that cannot carry a Rollout's traffic: it goes Degraded with a condition that names the
// object and the fix, before anything is created or moved; fixing the object (or the spec) recovers it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { gateway, istio, MANAGED, nginx } from "../../support/traffic/backends.ts";
import { GITOPS, TrafficFixture, V2 } from "../../support/traffic/fixture.ts";
import { applyAs } from "../../support/traffic/routes.ts";

const STEPS = [{ setWeight: 10 }, { pause: {} }];

describe("traffic routing: Degraded when routes cannot carry the rollout", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-degraded");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  /** Waits for Stalled with `reason`; checks the message and that nothing was created. */
  async function degraded(
    name: string,
    reason: string,
    message: RegExp,
    created = false,
  ): Promise<RolloutStatus> {
    const s = await t.f.waitStatus(
      name,
      `Stalled ${reason}`,
      (x) =>
        x.phase === "Degraded" &&
        (x.conditions ?? []).some((c) => c.type === "Stalled" && c.reason === reason),
    );
    const stalled = s.conditions?.find((c) => c.type === "Stalled");
    assert.match(stalled?.message ?? "", message);
    if (!created) assert.deepEqual(await t.f.replicaSets(name), {}, `${name}: nothing was created`);
    return s;
  }
  const route = (obj: Record<string, unknown>) => applyAs(GITOPS, t.namespace, JSON.stringify(obj));
  const httpRoute = (name: string, rules: unknown[]) =>
    route({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name },
      spec: { rules },
    });
  const svc = (n: string, weight?: number) => ({
    name: n,
    port: 80,
    ...(weight === undefined ? {} : { weight }),
  });

  test("Gateway API: a missing HTTPRoute → RouteNotFound; creating it recovers", async () => {
    const name = "gw-missing";
    await t.applyRollout({ NAME: name, routing: gateway.routing(name), steps: STEPS });
    await degraded(
      name,
      "RouteNotFound",
      /spec\.strategy\.canary\.trafficRouting\.gatewayAPI\.httpRoutes\[0\]: HTTPRoute "gw-missing" does not exist in namespace "[^"]+": create it/,
    );
    await t.applyRoutes(gateway.routeFile, name);
    await t.f.waitHealthy(name);
  });

  test("Gateway API: no rule sends to the stableService → RouteRuleNotFound", async () => {
    const name = "gw-norule";
    await httpRoute(name, [{ name: "admin", backendRefs: [svc(`${name}-admin`)] }]);
    await t.applyRollout({ NAME: name, routing: gateway.routing(name), steps: STEPS });
    await degraded(
      name,
      "RouteRuleNotFound",
      /HTTPRoute "gw-norule" has no rule with a backendRef to the stableService "gw-norule-stable": add one \(with the canaryService "gw-norule-canary" at weight 0\)/,
    );
  });

  test("Gateway API: a named rule that does not exist → RouteRuleNotFound", async () => {
    const name = "gw-named";
    await t.applyRoutes(gateway.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: { gatewayAPI: { httpRoutes: [{ name, rules: ["primary"] }] }, managedRoutes: MANAGED },
      steps: STEPS,
    });
    await degraded(
      name,
      "RouteRuleNotFound",
      /gatewayAPI\.httpRoutes\[0\]\.rules: HTTPRoute "gw-named" has no rule named "primary"/,
    );
  });

  test("Gateway API: the canaryService is not referenced → ServiceNotInRoute; adding it recovers", async () => {
    const name = "gw-nocanary";
    await httpRoute(name, [{ name: "main", backendRefs: [svc(`${name}-stable`, 100)] }]);
    await t.applyRollout({ NAME: name, routing: gateway.routing(name), steps: STEPS });
    await degraded(
      name,
      "ServiceNotInRoute",
      /HTTPRoute "gw-nocanary" rule "main" sends to the stableService "gw-nocanary-stable" but has no backendRef to the canaryService "gw-nocanary-canary": add \{name: gw-nocanary-canary, port: 80, weight: 0\}/,
    );
    await httpRoute(name, [
      { name: "main", backendRefs: [svc(`${name}-stable`, 100), svc(`${name}-canary`, 0)] },
    ]);
    await t.f.waitHealthy(name);
  });

  test("NGINX: a missing stable Ingress → RouteNotFound", async () => {
    const name = "ng-missing";
    await t.applyRollout({ NAME: name, routing: nginx.routing(name), steps: STEPS });
    await degraded(
      name,
      "RouteNotFound",
      /trafficRouting\.nginx\.stableIngress: Ingress "ng-missing" does not exist in namespace "[^"]+": create it/,
    );
  });

  test("NGINX: a stable Ingress without a path to the stableService → ServiceNotInRoute; fixing it recovers", async () => {
    const name = "ng-nosvc";
    const ingress = (service: string) =>
      route({
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name },
        spec: {
          rules: [
            {
              host: `${name}.example.com`,
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: service, port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      });
    await ingress("legacy");
    await t.applyRollout({ NAME: name, routing: nginx.routing(name), steps: STEPS });
    await degraded(
      name,
      "ServiceNotInRoute",
      /Ingress "ng-nosvc" has no path whose backend is the stableService "ng-nosvc-stable"/,
    );
    await ingress(`${name}-stable`);
    await t.f.waitHealthy(name);
  });

  test("NGINX: a mirror step → RouterUnsupported, naming the step and the routers that can", async () => {
    const name = "ng-mirror";
    await t.applyRoutes(nginx.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: nginx.routing(name),
      steps: [
        { setWeight: 10 },
        { setMirrorRoute: { name: "mirror", percentage: 10, match: [{ method: { exact: "GET" } }] } },
      ],
    });
    await degraded(
      name,
      "RouterUnsupported",
      /steps\[1\]\.setMirrorRoute: ingress-nginx cannot mirror .*route with gatewayAPI or istio/,
    );
  });

  test("Istio: a missing DestinationRule → RouteNotFound", async () => {
    const name = "is-nodr";
    await t.applyRollout({
      NAME: name,
      routing: {
        ...istio.routing(name),
        istio: {
          ...(istio.routing(name).istio as object),
          destinationRule: { name: "nope", canarySubsetName: "canary", stableSubsetName: "stable" },
        },
      },
      steps: STEPS,
    });
    await degraded(
      name,
      "RouteNotFound",
      /istio\.destinationRule: DestinationRule "nope" does not exist in namespace "[^"]+": create it with subsets "stable" and "canary"/,
    );
  });

  test("Istio: several HTTP routes and none named → RouteRuleNotFound", async () => {
    const name = "is-unnamed";
    await t.applyRoutes(istio.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: {
        istio: {
          virtualService: { name },
          destinationRule: { name, canarySubsetName: "canary", stableSubsetName: "stable" },
        },
      },
      steps: STEPS,
    });
    await degraded(
      name,
      "RouteRuleNotFound",
      /VirtualService "is-unnamed" has 2 HTTP routes: name the ones ramp weights in spec\.strategy\.canary\.trafficRouting\.istio\.virtualService\.routes/,
    );
  });

  test("Istio: a route without the canary destination → ServiceNotInRoute; adding it recovers", async () => {
    const name = "is-nocanary";
    const vs = (dests: { host: string; weight: number }[]) =>
      route({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name },
        spec: {
          hosts: [`${name}.example.com`],
          http: [{ route: dests.map((d) => ({ destination: { host: d.host }, weight: d.weight })) }],
        },
      });
    await vs([{ host: `${name}-stable`, weight: 100 }]);
    await t.applyRollout({ NAME: name, routing: { istio: { virtualService: { name } } }, steps: STEPS });
    await degraded(
      name,
      "ServiceNotInRoute",
      /VirtualService "is-nocanary" http\[0\] has no destination for the canary version: route it to the stableService "is-nocanary-stable" and the canaryService "is-nocanary-canary" \(weight 0\)/,
    );
    await vs([
      { host: `${name}-stable`, weight: 100 },
      { host: `${name}-canary`, weight: 0 },
    ]);
    await t.f.waitHealthy(name);
  });

  test("Istio: maxTrafficWeight other than 100 → RouterUnsupported", async () => {
    const name = "is-total";
    await t.applyRoutes(istio.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: istio.routing(name, { maxTrafficWeight: 1000 }),
      steps: STEPS,
    });
    await degraded(
      name,
      "RouterUnsupported",
      /trafficRouting\.maxTrafficWeight: Istio weights are percentages that sum to 100/,
    );
  });

  test("Gateway API: the HTTPRoute deleted mid-rollout → Degraded, no pod moves; Git restoring it (weights 100/0) gets the step's weight back", async () => {
    const name = "gw-midway";
    await t.applyRoutes(gateway.routeFile, name);
    await t.applyRollout({ NAME: name, routing: gateway.routing(name), steps: STEPS });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    const pods = await t.f.replicaSets(name);
    const del = await kubectl(["delete", "httproute", name, "-n", t.namespace]);
    assert.equal(del.code, 0, del.stderr);
    await degraded(name, "RouteNotFound", /HTTPRoute "gw-midway" does not exist/, true);
    assert.deepEqual(await t.f.replicaSets(name), pods, "no ReplicaSet was scaled while Degraded");
    await t.applyRoutes(gateway.routeFile, name);
    await t.f.waitStatus(name, "back at its pause", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    const shown = await gateway.read(t, name);
    assert.equal(shown.weight, 10, "ramp wrote the step's weight over the restored 0");
  });

  test("Gateway API: a header name the HTTPRoute's own schema refuses → RouteRejected with the apiserver's message", async () => {
    const name = "gw-badheader";
    await t.applyRoutes(gateway.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: gateway.routing(name),
      steps: [
        { setWeight: 10 },
        {
          setHeaderRoute: {
            name: "canary-header",
            match: [{ headerName: "X Canary", headerValue: { exact: "1" } }],
          },
        },
        { pause: {} },
      ],
    });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await degraded(
      name,
      "RouteRejected",
      /HTTPRoute "gw-badheader": the apiserver rejected ramp's change: .*headers\[0\]\.name.*: correct the step or the HTTPRoute/,
      true,
    );
    assert.deepEqual(
      await gateway.read(t, name),
      { weight: 10, total: 100, managed: [] },
      "step 0's weight, no rule added",
    );
  });
});
