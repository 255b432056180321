// Given blue-green Rollouts, when a restart replaces the active version's pods, then at most
// blueGreen.maxUnavailable of them (at least one) are unavailable at once, as a watch of the pods shows;
// and when a new version is previewed, then blueGreen.antiAffinity keeps its pod off the node of the
// active pod, against the scheduler's own preference for that node (the real kube-scheduler decides), and a
// preferred rule reaches the preview's pod template with its weight.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { AppsV1Api } from "@kubernetes/client-node";
import { waitFor } from "../../../dev/kube.ts";
import { follow, type WatchedObject } from "../../../dev/watch.ts";
import { HASH_LABEL } from "../../../src/api/labels.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { placement, twoNodes } from "../../support/e2e/placement.ts";

describe("blue-green fields: maxUnavailable and antiAffinity", () => {
  let f: Fixture;
  let nodes: string[] = [];
  let release: (() => Promise<void>) | undefined;
  before(async () => {
    f = await Fixture.create("bg-fields");
    await f.startController();
    const labelled = await twoNodes(f, "ramp.dev/bg-aa");
    nodes = labelled.nodes;
    release = labelled.release;
  });
  after(async () => {
    await release?.();
    await f?.cleanup();
  });

  type Pod = WatchedObject & {
    metadata?: { deletionTimestamp?: unknown };
    status?: { conditions?: { type: string; status: string }[] };
  };
  const isReady = (p: Pod) =>
    !p.metadata?.deletionTimestamp &&
    (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

  /** A restart of 3 active pods; the most pods seen unavailable at once while it ran. */
  async function restart(name: string, maxUnavailable: number | undefined): Promise<number> {
    await f.applyFixture("bluegreen/basic.yaml", {
      NAME: name,
      AUTO: "true",
      AUTO_SECONDS: "",
      DELAY: "1",
      PRE: "",
      POST: "",
    });
    if (maxUnavailable !== undefined)
      await f.patchSpec(name, { strategy: { blueGreen: { maxUnavailable } } });
    await f.waitStatus(name, "3 ready", (s) => s.phase === "Healthy" && s.readyReplicas === 3);
    const pods = new Map<string, Pod>();
    let worst = 0;
    let restartAt = "";
    const watch = await follow<Pod>(f.kc, `/api/v1/namespaces/${f.namespace}/pods`, (type, pod) => {
      if (pod.metadata?.labels?.app !== name) return;
      const id = pod.metadata?.name ?? "";
      if (type === "DELETED") pods.delete(id);
      else pods.set(id, pod);
      if (restartAt) worst = Math.max(worst, 3 - [...pods.values()].filter(isReady).length);
    });
    try {
      await waitFor(async () => [...pods.values()].filter(isReady).length === 3, {
        what: "3 ready pods seen",
      });
      restartAt = new Date().toISOString();
      await f.patchSpec(name, { restartAt });
      await f.waitStatus(name, "restartedAt recorded", (s) => s.restartedAt === restartAt, 90_000);
    } finally {
      watch.stop();
    }
    return worst;
  }

  test("maxUnavailable: 2 lets a restart take 2 of 3 active pods down at once", async (ctx: TestContext) => {
    const worst = await restart("two", 2);
    ctx.diagnostic(`at most ${worst} pods unavailable`);
    assert.equal(worst, 2);
  });

  test("maxUnavailable unset (0): a restart takes one pod down at a time", async () => {
    assert.equal(await restart("one", undefined), 1);
  });

  /** v1 active, v2 previewed (no auto-promotion): the node of each one's pod. */
  const preview = async (name: string, anti: string) => {
    await f.applyFixture("bluegreen/anti-affinity.yaml", { NAME: name, NS: f.namespace, ANTI: anti });
    const v1 = (await f.waitHealthy(name)).stableRS ?? "";
    await f.setImage(name, "app:2");
    const s = await f.waitStatus(name, "the preview paused", (st) => st.phase === "Paused");
    const v2 = s.currentPodHash ?? "";
    return waitFor(
      async () => {
        const p = await placement(f, name);
        return p[v1]?.length === 1 && p[v2]?.length === 1
          ? { active: p[v1]?.[0], preview: p[v2]?.[0] }
          : undefined;
      },
      { what: `${name}: one active and one preview pod scheduled` },
    );
  };

  test("antiAffinity unset: the preview pod joins the active pod on the preferred node", async () => {
    const { active, preview: previewed } = await preview("together", "");
    assert.equal(active, nodes[0]);
    assert.equal(
      previewed,
      nodes[0],
      "the baseline this test relies on: the preference wins without the rule",
    );
  });

  test("antiAffinity requiredDuringSchedulingIgnoredDuringExecution: the preview pod goes to the other node", async () => {
    const { active, preview: previewed } = await preview(
      "apart",
      "antiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {}}",
    );
    assert.equal(active, nodes[0]);
    assert.equal(previewed, nodes[1]);
  });

  // With a preferred rule the scheduler's outcome is no proof: in the default profile NodeAffinity and
  // InterPodAffinity both normalise to 100 with equal plugin weights, so the weak node preference ties with
  // any anti-affinity weight and the scheduler picks either node. What ramp owes is the rule itself.
  test("antiAffinity preferredDuringSchedulingIgnoredDuringExecution with weight 37: the preview's pod template prefers nodes without the active pods, the active's does not", async () => {
    const name = "rather";
    await f.applyFixture("bluegreen/anti-affinity.yaml", {
      NAME: name,
      NS: f.namespace,
      ANTI: "antiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: {weight: 37}}",
    });
    const v1 = (await f.waitHealthy(name)).stableRS ?? "";
    await f.setImage(name, "app:2");
    const v2 = (await f.waitStatus(name, "the preview paused", (st) => st.phase === "Paused")).currentPodHash;
    const rule = async (hash: string | undefined) => {
      const rs = await f.kc
        .makeApiClient(AppsV1Api)
        .readNamespacedReplicaSet({ namespace: f.namespace, name: `${name}-${hash}` });
      const anti = rs.spec?.template?.spec?.affinity?.podAntiAffinity;
      // Plain JSON, not the client's model classes, to compare with a literal.
      const plain: unknown = anti === undefined ? undefined : JSON.parse(JSON.stringify(anti));
      return plain;
    };
    assert.deepEqual(await rule(v2), {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 37,
          podAffinityTerm: {
            labelSelector: { matchExpressions: [{ key: HASH_LABEL, operator: "In", values: [v1] }] },
            topologyKey: "kubernetes.io/hostname",
          },
        },
      ],
    });
    assert.equal(await rule(v1), undefined, "the active version's pods are not pushed away");
  });
});
