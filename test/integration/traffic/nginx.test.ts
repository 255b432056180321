// Given Rollouts routed by NGINX Ingress (validated by the real apiserver) and a proxy that moves real requests
// by the live route objects, when versions ship, then traffic follows every step.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canaryIngressName } from "../../../src/traffic/nginx.ts";
import { nginx } from "../../support/traffic/backends.ts";
import { GITOPS, TrafficFixture, V2 } from "../../support/traffic/fixture.ts";
import { applyAs, managersOf } from "../../support/traffic/routes.ts";
import { canaryScenarios, maxWeightScenario, replaceScenario } from "../../support/traffic/scenarios.ts";

describe("traffic routing: NGINX Ingress", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-nginx");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  canaryScenarios(nginx, () => t);
  replaceScenario(nginx, () => t);
  maxWeightScenario(nginx, () => t);

  test("NGINX Ingress: ramp owns the canary Ingress by server-side apply; another manager's annotation on it survives, the stable Ingress is never written", async () => {
    const name = "owned";
    const canary = canaryIngressName(name, name);
    await t.applyRoutes("ingress.yaml", name);
    await t.applyRollout({
      NAME: name,
      routing: nginx.routing(name),
      steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    // Another controller (say, a certificate manager) adds its own annotation to ramp's canary Ingress.
    const other = {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: canary, annotations: { "example.com/owner": "platform" } },
    };
    await applyAs("cert-manager", t.namespace, JSON.stringify(other));
    await t.f.actions.promote(name);
    await t.pausedAt(name, 3);
    const ing = await t.route("Ingress", canary);
    assert.equal(ing?.metadata.annotations?.["nginx.ingress.kubernetes.io/canary-weight"], "50");
    assert.equal(
      ing?.metadata.annotations?.["example.com/owner"],
      "platform",
      "the other manager's annotation survived",
    );
    assert.deepEqual(managersOf(ing ?? { metadata: { name } }).sort(), ["cert-manager", "ramp-controller"]);
    assert.equal(ing?.metadata.labels?.["ramp.dev/rollout"], name);
    // Every version of the canary Ingress after the other write kept the annotation.
    const versions = t.routes.of("Ingress", canary).filter((v) => v.type !== "DELETED");
    const from = versions.findIndex((v) => v.obj.metadata.annotations?.["example.com/owner"]);
    assert.ok(
      from >= 0 &&
        versions.slice(from).every((v) => v.obj.metadata.annotations?.["example.com/owner"] === "platform"),
    );
    assert.ok(versions.length - from >= 2, "ramp wrote the canary Ingress after the other manager did");

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    await t.waitRoute("Ingress", canary, "deleted on completion", (o) => o === undefined);
    const stable = await t.route("Ingress", name);
    assert.deepEqual(
      managersOf(stable ?? { metadata: { name } }),
      [GITOPS],
      "only GitOps ever wrote the stable Ingress",
    );
    assert.equal(stable?.metadata.generation, 1);
  });
});
