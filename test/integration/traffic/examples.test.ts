// The traffic-routing examples, as a user would apply them: each deploys Healthy under the real controller,
// and a new version reaches its first pause with the weights and managed routes the steps ask for.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { canaryIngressName } from "../../../src/traffic/nginx.ts";
import { TrafficFixture } from "../../support/traffic/fixture.ts";
import type { RouteObj } from "../../support/traffic/routes.ts";

type Named = { name?: string };
const names = (list: unknown): (string | undefined)[] =>
  ((list as Named[] | undefined) ?? []).map((x) => x.name);

describe("traffic routing: the examples run", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-examples");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  const cases: [string, string, (t: TrafficFixture) => Promise<void>][] = [
    [
      "canary-gateway-api.yaml",
      "checkout",
      async (t) => {
        const route = (await t.route("HTTPRoute", "checkout")) as RouteObj;
        assert.deepEqual(names(route.spec?.rules), ["canary-header", "mirror-gets", "main"]);
      },
    ],
    [
      "canary-nginx.yaml",
      "storefront",
      async (t) => {
        const ing = await t.route("Ingress", canaryIngressName("storefront", "storefront"));
        const a = ing?.metadata.annotations ?? {};
        const p = "nginx.ingress.kubernetes.io";
        assert.deepEqual(
          [
            a[`${p}/canary-weight`],
            a[`${p}/canary-weight-total`],
            a[`${p}/canary-by-header`],
            a[`${p}/canary-by-cookie`],
          ],
          ["5", "1000", "X-Canary", "storefront-beta"],
        );
      },
    ],
    [
      "canary-istio.yaml",
      "search",
      async (t) => {
        const vs = (await t.route("VirtualService", "search")) as RouteObj;
        assert.deepEqual(names(vs.spec?.http), ["admin", "beta-testers", "mirror-all", "primary"]);
        const dr = (await t.route("DestinationRule", "search")) as RouteObj;
        const hashes = ((dr.spec?.subsets ?? []) as { labels?: Record<string, string> }[]).map(
          (s) => s.labels?.["ramp.dev/pod-template-hash"],
        );
        const status = (await t.f.rollout("search")).status;
        assert.deepEqual(hashes, [status?.stableRS, status?.currentPodHash]);
      },
    ],
  ];

  for (const [file, name, check] of cases) {
    test(`examples/${file}: Healthy, then a new version pauses with its routes in place`, async () => {
      const res = await kubectl([
        "apply",
        "--server-side",
        "-n",
        t.namespace,
        "-f",
        join(repoRoot, "examples", file),
      ]);
      assert.equal(res.code, 0, res.stderr);
      await t.f.waitHealthy(name, 90_000);
      await t.f.setImage(name, "ghcr.io/example/next:2.0.0");
      await t.f.waitStatus(
        name,
        "at its first pause",
        (s) => s.phase === "Paused" && s.stableRS !== s.currentPodHash,
        90_000,
      );
      await check(t);
    });
  }
});
