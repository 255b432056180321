// Given Rollouts that name several route objects (nginx.stableIngresses, istio.virtualServices) or pick TLS
// and TCP routes by port among several, when a version ships and pauses at 30%, then exactly the named
// objects and routes carry the weight (the others, listed first, keep 100/0), and completion gives it back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canaryIngressName } from "../../../src/traffic/nginx.ts";
import { GITOPS, TrafficFixture, V2 } from "../../support/traffic/fixture.ts";
import { managersOf, type RouteObj } from "../../support/traffic/routes.ts";

const PREFIX = "nginx.ingress.kubernetes.io";
const STEPS = [{ setWeight: 30 }, { pause: {} }];

type Dest = { destination: { host: string }; weight?: number };
type VRoute = { name?: string; route?: Dest[] };

/** The canary weight of each route in spec[list], in order ("-" for a route without a canary destination). */
function canaryWeights(o: RouteObj | undefined, list: "http" | "tls" | "tcp"): (number | string)[] {
  return ((o?.spec?.[list] as VRoute[] | undefined) ?? []).map(
    (r) => r.route?.find((d) => d.destination.host.endsWith("-canary"))?.weight ?? "-",
  );
}

describe("traffic routing: several route objects, and TLS/TCP routes chosen by port", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-plural");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  test("NGINX stableIngresses: two stable Ingresses get two weighted canary Ingresses, deleted on completion", async () => {
    const name = "pair";
    await t.applyRoutes("ingress-pair.yaml", name);
    await t.applyRollout({
      NAME: name,
      routing: { nginx: { stableIngresses: [`${name}-a`, `${name}-b`] } },
      steps: STEPS,
    });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    const canaries = [
      { ingress: canaryIngressName(name, `${name}-a`), host: `a.${name}.example.com`, path: "/" },
      { ingress: canaryIngressName(name, `${name}-b`), host: `b.${name}.example.com`, path: "/shop" },
    ];
    for (const c of canaries) {
      const o = await t.route("Ingress", c.ingress);
      assert.ok(o, `the canary Ingress ${c.ingress} exists`);
      const a = o.metadata.annotations ?? {};
      assert.deepEqual(
        [a[`${PREFIX}/canary`], a[`${PREFIX}/canary-weight`], a[`${PREFIX}/canary-weight-total`]],
        ["true", "30", "100"],
        `${c.ingress}: canary annotations`,
      );
      assert.deepEqual(
        o.spec?.rules,
        [
          {
            host: c.host,
            http: {
              paths: [
                {
                  path: c.path,
                  pathType: "Prefix",
                  backend: { service: { name: `${name}-canary`, port: { number: 80 } } },
                },
              ],
            },
          },
        ],
        `${c.ingress}: the paths of its stable Ingress, to the canaryService`,
      );
    }
    for (const stable of [`${name}-a`, `${name}-b`]) {
      const o = await t.route("Ingress", stable);
      assert.deepEqual(managersOf(o ?? { metadata: { name: stable } }), [GITOPS], `${stable} is only read`);
    }

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    for (const c of canaries)
      await t.waitRoute("Ingress", c.ingress, "deleted on completion", (o) => o === undefined);
  });

  test("Istio virtualService: only the TLS and TCP routes on the named ports (and SNI hosts) are weighted", async () => {
    const name = "ports";
    await t.applyRoutes("virtualservices.yaml", name);
    await t.applyRollout({
      NAME: name,
      routing: {
        istio: {
          virtualService: {
            name: `${name}-l4`,
            tlsRoutes: [{ port: 8443, sniHosts: [`b.${name}.example.com`] }],
            tcpRoutes: [{ port: 6432 }],
          },
        },
      },
      steps: STEPS,
    });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    const l4 = async () => {
      const o = await t.route("VirtualService", `${name}-l4`);
      return { tls: canaryWeights(o, "tls"), tcp: canaryWeights(o, "tcp") };
    };
    assert.deepEqual(await l4(), { tls: [0, 0, 30], tcp: [0, 30] });

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    assert.deepEqual(await l4(), { tls: [0, 0, 0], tcp: [0, 0] });
  });

  test("Istio virtualServices: each named VirtualService is weighted, by its own routes, tlsRoutes and tcpRoutes", async () => {
    const name = "plural";
    await t.applyRoutes("virtualservices.yaml", name);
    await t.applyRollout({
      NAME: name,
      routing: {
        istio: {
          virtualServices: [
            { name: `${name}-web`, routes: ["primary"] },
            {
              name: `${name}-l4`,
              tlsRoutes: [{ port: 8443, sniHosts: [`b.${name}.example.com`] }],
              tcpRoutes: [{ port: 6432 }],
            },
          ],
        },
      },
      steps: STEPS,
    });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    const weights = async () => {
      const web = await t.route("VirtualService", `${name}-web`);
      const l4 = await t.route("VirtualService", `${name}-l4`);
      return {
        http: canaryWeights(web, "http"),
        tls: canaryWeights(l4, "tls"),
        tcp: canaryWeights(l4, "tcp"),
      };
    };
    // http: [beta, primary]; tls: [443 b, 8443 a, 8443 b]; tcp: [5432, 6432].
    assert.deepEqual(await weights(), { http: [0, 30], tls: [0, 0, 30], tcp: [0, 30] });
    const status = await t.f.rollout(name);
    assert.equal(status.status?.canary?.weight, 30, "the weight the routes show");

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    assert.deepEqual(await weights(), { http: [0, 0], tls: [0, 0, 0], tcp: [0, 0] });
  });
});
