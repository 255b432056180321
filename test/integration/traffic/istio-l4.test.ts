// Given a VirtualService with HTTP, TLS (SNI) and TCP routes, when a Rollout names the TLS and TCP routes
// (Argo's tlsRoutes and tcpRoutes), then ramp weights them with the HTTP route at every step and gives them
// back to stable on completion; a TLS route that is not there makes the Rollout Degraded naming it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

type Route = { route?: { destination: { host: string }; weight?: number }[] };

describe("traffic routing: Istio TLS and TCP routes", () => {
  let f: Fixture;
  before(async () => {
    await installUpstreamCrds();
    f = await Fixture.create("istio-l4");
    await f.startController();
  });
  after(() => f?.cleanup());

  const weights = async (name: string) => {
    const vs = (await f.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1",
      plural: "virtualservices",
      namespace: f.namespace,
      name,
    })) as { spec: Record<string, Route[] | undefined> };
    const canary = (r: Route | undefined) =>
      r?.route?.find((d) => d.destination.host.endsWith("-canary"))?.weight;
    return { http: canary(vs.spec.http?.[0]), tls: canary(vs.spec.tls?.[0]), tcp: canary(vs.spec.tcp?.[0]) };
  };

  const apply = async (name: string, sni: string) => {
    await f.applyFixture("traffic/virtualservice-tls.yaml", { NAME: name });
    await f.applyFixture("traffic/rollout.yaml", {
      NAME: name,
      IMAGE: "app:1",
      SCALE_DOWN_DELAY: "1",
      ABORT_DELAY: "1",
      ROUTING: JSON.stringify({
        istio: {
          virtualService: {
            name,
            routes: ["primary"],
            tlsRoutes: [{ port: 443, sniHosts: [sni] }],
            tcpRoutes: [{ port: 5432 }],
          },
        },
      }),
      STEPS: JSON.stringify([{ setWeight: 30 }, { pause: {} }]),
    });
  };

  test("tlsRoutes and tcpRoutes are weighted with the HTTP route, step by step", async () => {
    await apply("l4", "l4.example.com");
    await f.waitHealthy("l4");
    await f.setImage("l4", "app:2");
    await f.waitStatus("l4", "paused at 30%", (s) => s.phase === "Paused");
    assert.deepEqual(await weights("l4"), { http: 30, tls: 30, tcp: 30 });
    await f.actions.promote("l4");
    await f.waitHealthy("l4", 60_000);
    assert.deepEqual(await weights("l4"), { http: 0, tls: 0, tcp: 0 });
  });

  test("a tlsRoute the VirtualService does not have: Degraded, naming the route and the fix", async () => {
    await apply("nosni", "other.example.com");
    const s = await f.waitStatus("nosni", "Degraded", (st) => st.phase === "Degraded");
    assert.match(
      s.message ?? "",
      /tlsRoutes: VirtualService "nosni" has no TLS route on port 443 for SNI hosts other\.example\.com/,
    );
  });
});
