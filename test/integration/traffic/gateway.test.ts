// Given Rollouts routed by a Gateway API HTTPRoute (upstream CRDs, validated by the real apiserver) and
// Traefik v3 as the data plane (a real Gateway API implementation reaching a stand-in on every pod), when
// versions ship, then real requests follow every step. Mirror routes, which Traefik does not implement,
// are in traefik-routes.test.ts (refused) and match-fields.test.ts (written, through the in-house proxy).
import { after, before, describe } from "node:test";
import { gateway } from "../../support/traffic/backends.ts";
import { TrafficFixture } from "../../support/traffic/fixture.ts";
import { canaryScenarios, maxWeightScenario, replaceScenario } from "../../support/traffic/scenarios.ts";

describe("traffic routing: Gateway API through Traefik", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-gateway", { traefik: true });
    await t.f.startController();
  });
  after(() => t?.cleanup());

  canaryScenarios(gateway, () => t);
  replaceScenario(gateway, () => t);
  maxWeightScenario(gateway, () => t);
});
