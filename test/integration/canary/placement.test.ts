// Given canaries whose placement fields matter, when a version ships, then: antiAffinity keeps the canary's
// pod off the node of the stable pod, against the scheduler's own preference for that node (the real
// kube-scheduler decides); and minPodsPerReplicaSet gives a routed canary at 10% two pods, not one.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AppsV1Api } from "@kubernetes/client-node";
import { waitFor } from "../../../dev/kube.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { HASH_LABEL } from "../../../src/api/labels.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { placement, twoNodes } from "../../support/e2e/placement.ts";

describe("placement: antiAffinity and minPodsPerReplicaSet", () => {
  let f: Fixture;
  let nodes: string[] = [];
  let release: (() => Promise<void>) | undefined;
  before(async () => {
    await installUpstreamCrds();
    f = await Fixture.create("placement");
    await f.startController();
    const labelled = await twoNodes(f, "ramp.dev/aa");
    nodes = labelled.nodes;
    release = labelled.release;
  });
  after(async () => {
    await release?.();
    await f?.cleanup();
  });

  const ship = async (name: string, anti: string) => {
    await f.applyFixture("canary/anti-affinity.yaml", { NAME: name, NS: f.namespace, ANTI: anti });
    const v1 = (await f.waitHealthy(name)).stableRS ?? "";
    await f.setImage(name, "app:2");
    const s = await f.waitStatus(name, "at the pause", (st) => st.phase === "Paused");
    const v2 = s.currentPodHash ?? "";
    return waitFor(
      async () => {
        const p = await placement(f, name);
        return p[v1]?.length === 1 && p[v2]?.length === 1
          ? { stable: p[v1]?.[0], canary: p[v2]?.[0] }
          : undefined;
      },
      { what: `${name}: one stable and one canary pod scheduled` },
    );
  };

  test("without antiAffinity the canary's pod joins the stable pod on the preferred node", async () => {
    const { stable, canary } = await ship("together", "");
    assert.equal(stable, nodes[0]);
    assert.equal(canary, nodes[0], "the baseline this test relies on: the preference wins without the rule");
  });

  test("requiredDuringSchedulingIgnoredDuringExecution: the canary's pod goes to the other node", async () => {
    const { stable, canary } = await ship(
      "apart",
      "antiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {}}",
    );
    assert.equal(stable, nodes[0]);
    assert.equal(canary, nodes[1]);
  });

  // Where a preferred rule lands a pod is the scheduler's score (it ties with the node preference here), so
  // this proves the rule the scheduler is given: on the canary's pod template, against the stable hash.
  test("preferredDuringSchedulingIgnoredDuringExecution: the canary's template prefers nodes without stable pods, with its weight", async () => {
    await ship("rather", "antiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: {weight: 37}}");
    const s = await f.rollout("rather");
    const sets = (
      await f.kc
        .makeApiClient(AppsV1Api)
        .listNamespacedReplicaSet({ namespace: f.namespace, labelSelector: "app=rather" })
    ).items;
    const template = (hash: string | undefined) =>
      sets.find((r) => r.metadata?.labels?.[HASH_LABEL] === hash)?.spec?.template?.spec?.affinity
        ?.podAntiAffinity;
    const preferred = template(s.status?.currentPodHash)?.preferredDuringSchedulingIgnoredDuringExecution;
    assert.deepEqual(JSON.parse(JSON.stringify(preferred ?? null)), [
      {
        weight: 37,
        podAffinityTerm: {
          labelSelector: {
            matchExpressions: [{ key: HASH_LABEL, operator: "In", values: [s.status?.stableRS] }],
          },
          topologyKey: "kubernetes.io/hostname",
        },
      },
    ]);
    assert.equal(template(s.status?.stableRS), undefined, "the stable version's template has no such rule");
  });

  test("minPodsPerReplicaSet: 2 gives a routed canary at 10% of 4 pods two pods", async () => {
    await f.applyFixture("traffic/httproute.yaml", { NAME: "floor", NAMESPACE: f.namespace });
    await f.applyFixture("traffic/rollout.yaml", {
      NAME: "floor",
      IMAGE: "app:1",
      SCALE_DOWN_DELAY: "1",
      ABORT_DELAY: "1",
      ROUTING: JSON.stringify({ gatewayAPI: { httpRoutes: [{ name: "floor" }] } }),
      STEPS: JSON.stringify([{ setWeight: 10 }, { pause: {} }]),
    });
    const v1 = (await f.waitHealthy("floor")).stableRS ?? "";
    await f.patchSpec("floor", { strategy: { canary: { minPodsPerReplicaSet: 2 } } });
    await f.setImage("floor", "app:2");
    const s = await f.waitStatus("floor", "paused at 10%", (st) => st.phase === "Paused");
    const sets = await f.replicaSets("floor");
    assert.equal(sets[`floor-${s.currentPodHash}`], 2, JSON.stringify(sets));
    assert.equal(sets[`floor-${v1}`], 4);
  });
});
