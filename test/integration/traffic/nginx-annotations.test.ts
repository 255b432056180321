// Given a canary routed by NGINX Ingress with a custom annotationPrefix, additionalIngressAnnotations and
// canaryIngressAnnotations, when a version ships through a weight and a header route, then the canary
// Ingress ramp creates carries its canary annotations under the custom prefix, the additional ones under
// that prefix too, the canaryIngressAnnotations verbatim, and nothing under the default prefix, ever.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canaryIngressName } from "../../../src/traffic/nginx.ts";
import { MANAGED } from "../../support/traffic/backends.ts";
import { TrafficFixture, V2 } from "../../support/traffic/fixture.ts";

const PREFIX = "custom.nginx.org";
const DEFAULT_PREFIX = "nginx.ingress.kubernetes.io";

describe("traffic routing: NGINX annotations", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("nginx-annotations");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  test("annotationPrefix and canaryIngressAnnotations: the canary Ingress speaks the custom prefix only", async () => {
    const name = "prefixed";
    const canary = canaryIngressName(name, name);
    await t.applyRoutes("ingress.yaml", name);
    await t.applyRollout({
      NAME: name,
      routing: {
        nginx: {
          stableIngress: name,
          annotationPrefix: PREFIX,
          additionalIngressAnnotations: { "canary-by-cookie": "beta-users" },
          canaryIngressAnnotations: { "example.com/team": "payments", "example.com/ticket": "OPS-42" },
        },
        managedRoutes: MANAGED,
      },
      steps: [
        { setWeight: 30 },
        { pause: {} },
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
    await t.f.setImage(name, V2);

    // Without annotationPrefix these keys would be under nginx.ingress.kubernetes.io; without
    // canaryIngressAnnotations the example.com ones would be missing.
    const base = {
      [`${PREFIX}/canary`]: "true",
      [`${PREFIX}/canary-weight`]: "30",
      [`${PREFIX}/canary-weight-total`]: "100",
      [`${PREFIX}/canary-by-cookie`]: "beta-users",
      "example.com/team": "payments",
      "example.com/ticket": "OPS-42",
    };
    await t.pausedAt(name, 1);
    assert.deepEqual((await t.route("Ingress", canary))?.metadata.annotations, base, "at 30%");

    await t.f.actions.promote(name);
    await t.pausedAt(name, 3);
    assert.deepEqual(
      (await t.route("Ingress", canary))?.metadata.annotations,
      {
        ...base,
        [`${PREFIX}/canary-by-header`]: "X-Canary",
        [`${PREFIX}/canary-by-header-value`]: "yes",
      },
      "with the header route",
    );

    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    await t.waitRoute("Ingress", canary, "deleted on completion", (o) => o === undefined);

    // Every version of the canary Ingress, from its creation to its deletion.
    const versions = t.routes.of("Ingress", canary).filter((v) => v.type !== "DELETED");
    assert.ok(versions.length >= 2, `the canary Ingress was written at each step (${versions.length})`);
    for (const v of versions) {
      const keys = Object.keys(v.obj.metadata.annotations ?? {});
      assert.deepEqual(
        keys.filter((k) => k.startsWith(`${DEFAULT_PREFIX}/`)),
        [],
        `rv ${v.rv}: an annotation under the default prefix`,
      );
      assert.equal(v.obj.metadata.annotations?.["example.com/team"], "payments", `rv ${v.rv}`);
    }
    const stable = await t.route("Ingress", name);
    assert.deepEqual(stable?.metadata.annotations ?? {}, {}, "the stable Ingress is left as Git has it");
  });

  // Argo Rollouts adds the prefix to an additionalIngressAnnotations key only when the key lacks it
  // (rollout/trafficrouting/nginx/nginx.go), so specs written with full keys keep working after migrating.
  test("additionalIngressAnnotations: a key already under the prefix lands on the canary Ingress as written", async () => {
    const name = "fullkey";
    const canary = canaryIngressName(name, name);
    await t.applyRoutes("ingress.yaml", name);
    await t.applyRollout({
      NAME: name,
      routing: {
        nginx: {
          stableIngress: name,
          annotationPrefix: PREFIX,
          additionalIngressAnnotations: { [`${PREFIX}/canary-by-cookie`]: "beta-users" },
        },
      },
      steps: [{ setWeight: 30 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    const s = await t.f.waitStatus(
      name,
      "paused at step 1, or degraded",
      (st) =>
        (st.phase === "Paused" && st.currentStepIndex === 1 && st.stableRS !== st.currentPodHash) ||
        st.phase === "Degraded",
      90_000,
    );
    assert.equal(s.phase, "Paused", `the rollout is ${s.phase}: ${s.message}`);
    assert.deepEqual((await t.route("Ingress", canary))?.metadata.annotations, {
      [`${PREFIX}/canary`]: "true",
      [`${PREFIX}/canary-weight`]: "30",
      [`${PREFIX}/canary-weight-total`]: "100",
      [`${PREFIX}/canary-by-cookie`]: "beta-users",
    });
  });
});
