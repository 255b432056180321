// Given a canary without a traffic router (fixtures/canary/fields.yaml), when a version ships, then:
// the pod template's annotations reach each version's ReplicaSet and pods; minReadySeconds holds the step
// until the canary's pod has been Ready that long; and, in the watch history of the ReplicaSets, the pods
// never exceed replicas + maxSurge and the available pods never fall below replicas − maxUnavailable
// (values other than the 25% defaults, so that a ramp ignoring them breaks the bound).
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { waitFor } from "../../../dev/kube.ts";
import { HASH_LABEL, ROLLOUT_LABEL } from "../../../src/api/labels.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const OWNER = "example.com/owner";
type RsStatus = { readyReplicas?: number; availableReplicas?: number };

describe("canary spec fields without a router", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-spec");
    await f.startController();
  });
  after(() => f?.cleanup());

  type Vars = {
    replicas: number;
    minReady?: number;
    annotations?: Record<string, string>;
    surge: number;
    unavailable: number;
    steps: unknown[];
  };
  /** The Rollout with v1 Healthy and every pod available; returns v1's hash. */
  async function given(name: string, v: Vars): Promise<string> {
    await f.applyFixture("canary/fields.yaml", {
      NAME: name,
      REPLICAS: String(v.replicas),
      MIN_READY: String(v.minReady ?? 0),
      ANNOTATIONS: JSON.stringify(v.annotations ?? {}),
      SURGE: String(v.surge),
      UNAVAILABLE: String(v.unavailable),
      STEPS: JSON.stringify(v.steps),
    });
    const s = await f.waitStatus(
      name,
      "v1 Healthy with every pod available",
      (st) =>
        st.phase === "Healthy" && st.stableRS === st.currentPodHash && st.availableReplicas === v.replicas,
      90_000,
    );
    return s.stableRS ?? "";
  }

  const pausedAt = (name: string, step: number) =>
    f.waitStatus(name, `paused at step ${step}`, (s) => s.phase === "Paused" && s.currentStepIndex === step);

  /** The owner annotation of each version's pod template and of each of its live pods, by hash. */
  async function owners(name: string) {
    const sets = await f.kc
      .makeApiClient(AppsV1Api)
      .listNamespacedReplicaSet({ namespace: f.namespace, labelSelector: `${ROLLOUT_LABEL}=${name}` });
    const pods = await f.kc
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: f.namespace, labelSelector: `app=${name}` });
    const out: Record<string, { template: string | undefined; pods: (string | undefined)[] }> = {};
    for (const rs of sets.items) {
      const hash = rs.metadata?.labels?.[HASH_LABEL] ?? "";
      out[hash] = { template: rs.spec?.template?.metadata?.annotations?.[OWNER], pods: [] };
    }
    for (const p of pods.items) {
      if (p.metadata?.deletionTimestamp) continue;
      out[p.metadata?.labels?.[HASH_LABEL] ?? ""]?.pods.push(p.metadata?.annotations?.[OWNER]);
    }
    return out;
  }

  test("template annotations: each version's ReplicaSet template and pods carry its own annotations", async () => {
    const name = "annotated";
    const v1 = await given(name, {
      replicas: 2,
      annotations: { [OWNER]: "payments" },
      surge: 1,
      unavailable: 0,
      steps: [{ setWeight: 50 }, { pause: {} }],
    });
    assert.deepEqual(await owners(name), { [v1]: { template: "payments", pods: ["payments", "payments"] } });
    // Only the annotation changes: a new version, whose pods carry the new value.
    await f.patchSpec(name, { template: { metadata: { annotations: { [OWNER]: "search" } } } });
    const v2 = (await pausedAt(name, 1)).currentPodHash ?? "";
    assert.notEqual(v2, v1);
    const seen = await waitFor(
      async () => {
        const o = await owners(name);
        return o[v2]?.pods.length === 1 && o[v1]?.pods.length === 1 ? o : undefined;
      },
      { what: "one pod of each version" },
    );
    assert.deepEqual(seen, {
      [v1]: { template: "payments", pods: ["payments"] },
      [v2]: { template: "search", pods: ["search"] },
    });
  });

  test("minReadySeconds: 10 holds the step until the canary's pod has been Ready for 10 s", async (ctx: TestContext) => {
    const name = "minready";
    const minReadyMs = 10_000;
    await given(name, {
      replicas: 2,
      minReady: minReadyMs / 1000,
      surge: 1,
      unavailable: 0,
      steps: [{ setWeight: 50 }, { pause: {} }],
    });
    await f.setImage(name, "app:2");
    const v2 = (await pausedAt(name, 1)).currentPodHash ?? "";
    const events = f.history.replicaSets.filter(
      (e) => e.obj.metadata?.labels?.[ROLLOUT_LABEL] === name && e.obj.metadata?.labels?.[HASH_LABEL] === v2,
    );
    const ready = events.find((e) => ((e.obj.status as RsStatus | undefined)?.readyReplicas ?? 0) >= 1);
    const available = events.find(
      (e) => ((e.obj.status as RsStatus | undefined)?.availableReplicas ?? 0) >= 1,
    );
    const step = f.history
      .statuses(name)
      .find((s) => s.obj.currentPodHash === v2 && s.obj.currentStepIndex === 1);
    assert.ok(ready && available && step, "the canary's pod Ready, then available, then step 1");
    ctx.diagnostic(
      `canary pod Ready at +0, available at +${available.at - ready.at} ms, step 1 at +${step.at - ready.at} ms`,
    );
    // The ReplicaSet's status reports Ready up to a second or so late, never early: two seconds of slack
    // (without minReadySeconds the pod is available, and the step done, within a second of Ready).
    assert.ok(available.at - ready.at >= minReadyMs - 2000, "available only minReadySeconds after Ready");
    assert.ok(step.at - ready.at >= minReadyMs - 2000, "the step waited for the pod to be available");
    assert.ok(step.at >= available.at, "the step completed only once the pod was available");
  });

  /** From the ReplicaSet watch history since `from`: most pods asked for and fewest available at once. */
  function budgetSeen(name: string, from: number) {
    const now = new Map<string, { spec: number; available: number }>();
    let maxPods = 0;
    let minAvailable = Number.POSITIVE_INFINITY;
    for (const e of f.history.replicaSets) {
      if (e.obj.metadata?.labels?.[ROLLOUT_LABEL] !== name) continue;
      const rs = e.obj.metadata?.name ?? "";
      if (e.type === "DELETED") now.delete(rs);
      else
        now.set(rs, {
          spec: Number(e.obj.spec?.replicas ?? 0),
          available: (e.obj.status as RsStatus | undefined)?.availableReplicas ?? 0,
        });
      if (e.at < from) continue;
      const all = [...now.values()];
      maxPods = Math.max(
        maxPods,
        all.reduce((a, r) => a + r.spec, 0),
      );
      minAvailable = Math.min(
        minAvailable,
        all.reduce((a, r) => a + Math.min(r.spec, r.available), 0),
      );
    }
    return { maxPods, minAvailable };
  }

  /** Ships v2 into setWeight 40 of 5 replicas; the budget seen until it runs 2 canary and 3 stable pods. */
  async function shipTo40(name: string, surge: number, unavailable: number) {
    const v1 = await given(name, {
      replicas: 5,
      surge,
      unavailable,
      steps: [{ setWeight: 40 }, { pause: {} }],
    });
    const from = Date.now();
    await f.setImage(name, "app:2");
    const v2 = (await pausedAt(name, 1)).currentPodHash ?? "";
    assert.deepEqual(await f.replicaSets(name), { [`${name}-${v1}`]: 3, [`${name}-${v2}`]: 2 });
    await waitFor(
      () =>
        f.history.replicaSets.some(
          (e) =>
            e.obj.metadata?.name === `${name}-${v2}` &&
            (e.obj.status as RsStatus | undefined)?.availableReplicas === 2,
        ),
      { what: "the canary's 2 available pods in the watch history" },
    );
    return budgetSeen(name, from);
  }

  test("maxSurge: 0 keeps the pods of 5 replicas at 5 at every moment of the step (the default would allow 7)", async () => {
    const { maxPods, minAvailable } = await shipTo40("surge", 0, 1);
    assert.equal(maxPods, 5, "never more than replicas + maxSurge pods");
    assert.ok(minAvailable >= 4, `available fell to ${minAvailable}, below replicas − maxUnavailable`);
  });

  test("maxUnavailable: 0 keeps all 5 pods available at every moment of the step (the default allows 4)", async () => {
    const { maxPods, minAvailable } = await shipTo40("unavailable", 1, 0);
    assert.equal(minAvailable, 5, "never fewer than replicas − maxUnavailable available pods");
    assert.ok(maxPods <= 6, `${maxPods} pods, above replicas + maxSurge`);
  });
});
