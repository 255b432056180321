// Given Rollouts routed by a Gateway API HTTPRoute (upstream CRDs, validated by the real apiserver) and a
// proxy that moves real requests by the live route, when versions ship, then traffic follows every step.
import { after, before, describe } from "node:test";
import { gateway } from "../../support/traffic/backends.ts";
import { TrafficFixture } from "../../support/traffic/fixture.ts";
import {
  canaryScenarios,
  maxWeightScenario,
  mirrorScenario,
  replaceScenario,
} from "../../support/traffic/scenarios.ts";

describe("traffic routing: Gateway API", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-gateway");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  canaryScenarios(gateway, () => t);
  replaceScenario(gateway, () => t);
  mirrorScenario(gateway, () => t);
  maxWeightScenario(gateway, () => t);
});
