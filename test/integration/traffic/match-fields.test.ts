// Given a canary routed by a Gateway API HTTPRoute or an Istio VirtualService, with a header route whose
// value is a regex and a mirror route whose matches test a method, an exact path, a path prefix other than
// "/" and a header, when the rollout pauses there, then the managed rules carry exactly those conditions and
// real requests are routed and mirrored by them (none of them matches every request, so one ignored fails).
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { type Backend, gateway, istio } from "../../support/traffic/backends.ts";
import { assertShare, TrafficFixture, V1, V2 } from "../../support/traffic/fixture.ts";
import type { RouteObj } from "../../support/traffic/routes.ts";

const REGEX = "(yes|y)";
const STEPS = [
  { setWeight: 20 },
  {
    setHeaderRoute: {
      name: "canary-header",
      match: [{ headerName: "X-Canary", headerValue: { regex: REGEX } }],
    },
  },
  {
    setMirrorRoute: {
      name: "mirror",
      percentage: 50,
      match: [
        { method: { exact: "POST" }, path: { exact: "/orders" } },
        { path: { prefix: "/api" }, headers: { "X-Mirror": { exact: "on" } } },
      ],
    },
  },
  { pause: {} },
];

type Named = { name?: string };
/** The managed rule (Gateway API) or HTTP route (Istio) named `name`, from the live object. */
function managed(o: RouteObj | undefined, list: "rules" | "http", name: string): Record<string, unknown> {
  const found = ((o?.spec?.[list] as (Named & Record<string, unknown>)[] | undefined) ?? []).find(
    (r) => r.name === name,
  );
  assert.ok(found, `${o?.metadata.name}: no managed route "${name}" in ${JSON.stringify(o?.spec)}`);
  return found;
}

type Case = {
  backend: Backend;
  read(t: TrafficFixture, name: string): Promise<{ header: unknown; mirror: unknown }>;
};

const CASES: Case[] = [
  {
    backend: gateway,
    async read(t, name) {
      const o = await t.route("HTTPRoute", name);
      return {
        header: managed(o, "rules", "canary-header").matches,
        mirror: managed(o, "rules", "mirror").matches,
      };
    },
  },
  {
    backend: istio,
    async read(t, name) {
      const o = await t.route("VirtualService", name);
      return {
        header: managed(o, "http", "canary-header").match,
        mirror: managed(o, "http", "mirror").match,
      };
    },
  },
];

/** What each router must write for STEPS: the header regex as is, and one match per mirror match. */
const EXPECTED: Record<string, { header: unknown; mirror: unknown }> = {
  [gateway.label]: {
    header: [
      {
        path: { type: "PathPrefix", value: "/" },
        headers: [{ type: "RegularExpression", name: "X-Canary", value: REGEX }],
      },
    ],
    mirror: [
      { path: { type: "Exact", value: "/orders" }, method: "POST" },
      {
        path: { type: "PathPrefix", value: "/api" },
        headers: [{ type: "Exact", name: "X-Mirror", value: "on" }],
      },
    ],
  },
  [istio.label]: {
    header: [{ headers: { "x-canary": { regex: REGEX } } }],
    mirror: [
      { uri: { exact: "/orders" }, method: { exact: "POST" } },
      { uri: { prefix: "/api" }, headers: { "x-mirror": { exact: "on" } } },
    ],
  },
};

describe("traffic routing: header regex and mirror match fields", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-match");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  for (const c of CASES) {
    const b = c.backend;
    test(`${b.label}: headerValue.regex, and mirror matches by method, exact path, path prefix and header, are written and obeyed`, async (ctx: TestContext) => {
      const name = b === gateway ? "match-gw" : "match-istio";
      const { stable, canary } = b.services(name);
      await t.applyRoutes(b.routeFile, name);
      await t.applyRollout({ NAME: name, routing: b.routing(name), steps: STEPS });
      await t.f.waitHealthy(name);
      const proxy = await t.proxy(b.proxy(name));
      const host = `${name}.example.com`;
      await t.f.setImage(name, V2);
      await t.pausedAt(name, 3);
      assert.deepEqual(await c.read(t, name), EXPECTED[b.label], "the managed routes' matches");

      const serving = { [stable]: V1, [canary]: V2 };
      const yes = await t.share(proxy, V2, { host, serving, n: 200, headers: { "x-canary": "y" } });
      assert.equal(yes.percent, 100, "X-Canary: y matches the regex: all to the canary");
      // A header value the regex does not match is weighted as usual (an ignored regex would match it).
      const no = await t.share(proxy, V2, { host, serving, n: 200, headers: { "x-canary": "nope" } });
      assertShare(no.percent, 20, "X-Canary: nope does not match the regex, so it is weighted");

      const mirrored = async (path: string, headers: Record<string, string> = {}) => {
        const from = t.standIns[V2]?.mirrored ?? 0;
        const m = await proxy.measure(200, { host, path, headers });
        assert.equal(m.errors, 0, `${path}: ${m.errorSamples.join("; ")}`);
        return (t.standIns[V2]?.mirrored ?? 0) - from;
      };
      const seen = {
        "/api/items with X-Mirror: on": await mirrored("/api/items", { "x-mirror": "on" }),
        "/api/items": await mirrored("/api/items"),
        "/": await mirrored("/", { "x-mirror": "on" }),
        "GET /orders": await mirrored("/orders"),
      };
      ctx.diagnostic(`mirrored of 200 requests each: ${JSON.stringify(seen)}`);
      assert.deepEqual(seen, {
        "/api/items with X-Mirror: on": 100,
        "/api/items": 0,
        "/": 0,
        "GET /orders": 0,
      });

      await t.f.actions.promote(name);
      await t.f.waitHealthy(name);
      assert.deepEqual((await b.read(t, name)).managed, [], "the managed routes are gone");
    });
  }
});
