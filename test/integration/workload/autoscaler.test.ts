// Given a Deployment with an HPA, when a Rollout runs it through spec.workloadRef, then an HPA still aimed
// at the Deployment is reported (condition AutoscalerConflict and one Warning Event) and not fought (the
// Deployment keeps its replicas); once the HPA targets the Rollout it drives the Rollout's replicas through
// the scale subresource, the Deployment goes to 0, and the HPA keeps working through a version change.
// The real HPA controller runs without a metrics server, so it holds replicas within min/max.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AppsV1Api, AutoscalingV2Api } from "@kubernetes/client-node";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("an HPA and a workloadRef Rollout", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("workload-hpa");
    await f.startController();
  });
  after(() => f?.cleanup());

  test("an HPA on the Deployment is reported, not fought; moved to the Rollout it scales the Rollout through a version change", async () => {
    const apps = f.kc.makeApiClient(AppsV1Api);
    const hpas = f.kc.makeApiClient(AutoscalingV2Api);
    const replicasOf = async () =>
      (await apps.readNamespacedDeployment({ name: "web", namespace: f.namespace })).spec?.replicas;
    await f.applyFixture("workload/deployment.yaml", { NAME: "web", DEPLOY_REPLICAS: "2", IMAGE: "app:1" });
    await hpas.createNamespacedHorizontalPodAutoscaler({
      namespace: f.namespace,
      body: {
        metadata: { name: "web" },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
          minReplicas: 2,
          maxReplicas: 5,
        },
      },
    });
    await f.applyFixture("workload/rollout.yaml", {
      NAME: "web",
      DEPLOYMENT: "web",
      SCALE_DOWN: "onsuccess",
      REPLICAS: "2",
      PAUSE: "{duration: 1s}",
    });
    const conflict = await f.waitStatus("web", "AutoscalerConflict True", (s) =>
      (s.conditions ?? []).some((c) => c.type === "AutoscalerConflict" && c.status === "True"),
    );
    const c = conflict.conditions?.find((x) => x.type === "AutoscalerConflict");
    assert.equal(c?.reason, "HPATargetsDeployment");
    assert.match(c?.message ?? "", /HorizontalPodAutoscaler "web" targets Deployment "web".*kind Rollout/);
    await f.waitHealthy("web");
    assert.equal(await replicasOf(), 2, "the Deployment an HPA scales is left alone");
    const events = await kubectl([
      "get",
      "events",
      "-n",
      f.namespace,
      "--field-selector",
      "involvedObject.name=web,involvedObject.kind=Rollout,reason=HPATargetsDeployment",
      "-o",
      "jsonpath={.items[*].count}",
    ]);
    assert.equal(events.stdout.trim(), "1", `one Warning Event: ${events.stdout}`);

    // The fix the condition names: the HPA targets the Rollout, and asks for more pods than it has.
    await hpas.patchNamespacedHorizontalPodAutoscaler({
      name: "web",
      namespace: f.namespace,
      body: [
        {
          op: "replace",
          path: "/spec/scaleTargetRef",
          value: { apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", name: "web" },
        },
        { op: "replace", path: "/spec/minReplicas", value: 4 },
      ],
    });
    await f.waitStatus(
      "web",
      "scaled to 4 by the HPA, no conflict",
      (s) =>
        (s.availableReplicas ?? 0) === 4 &&
        (s.conditions ?? []).some((x) => x.type === "AutoscalerConflict" && x.status === "False"),
      90_000,
    );
    assert.equal((await f.rollout("web")).spec.replicas, 4, "the HPA wrote the Rollout's spec.replicas");
    await waitFor(async () => (await replicasOf()) === 0 || undefined, { what: "Deployment web at 0" });

    const first = (await f.rollout("web")).status?.stableRS;
    const image = await kubectl(["set", "image", "deployment/web", "app=app:2", "-n", f.namespace]);
    assert.equal(image.code, 0, image.stderr);
    const done = await f.waitStatus(
      "web",
      "app:2 promoted at the HPA's 4 replicas",
      (s) =>
        s.phase === "Healthy" &&
        s.stableRS === s.currentPodHash &&
        s.stableRS !== first &&
        (s.availableReplicas ?? 0) === 4,
      90_000,
    );
    assert.ok(done.stableRS);
    const hpa = await hpas.readNamespacedHorizontalPodAutoscaler({ name: "web", namespace: f.namespace });
    assert.equal(hpa.status?.currentReplicas, 4, "the HPA reads the Rollout through its scale subresource");
    assert.equal((await f.rollout("web")).spec.replicas, 4);
  });
});
