// Given a blue-green Rollout of 3 replicas with previewReplicaCount 1 and manual promotion, when a new
// version ships, then its ReplicaSet runs exactly 1 pod behind the preview Service until the promotion;
// on promotion it scales to 3, and the active Service moves to it only once all 3 are available.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const HASH = "ramp.dev/pod-template-hash";
const REPLICAS = 3;
const PREVIEW = 1;

type Meta = { metadata?: { resourceVersion?: string } };
const rv = (o: unknown): number => Number((o as Meta).metadata?.resourceVersion ?? 0);

describe("blue-green: previewReplicaCount", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("bg-preview-count");
    await f.startController();
  });
  after(() => f?.cleanup());

  /** Every version of one version's ReplicaSet: spec.replicas and available pods, with its watch time and rv. */
  const versionsOf = (name: string, hash: string) =>
    f.history.replicaSets
      .filter((e) => e.obj.metadata?.name === `${name}-${hash}`)
      .map((e) => ({
        at: e.at,
        rv: rv(e.obj),
        replicas: Number(e.obj.spec?.replicas ?? 0),
        available: Number(
          (e.obj.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0,
        ),
      }));

  /** The hash a Service selected at each version the watch delivered. */
  const selections = (service: string) =>
    f.history.services
      .filter((s) => s.obj.metadata?.name === service)
      .map((s) => ({
        rv: rv(s.obj),
        hash: (s.obj.spec?.selector as Record<string, string> | undefined)?.[HASH],
      }));

  test("the preview runs exactly 1 pod until promotion, then 3, all available before the switch", async (ctx: TestContext) => {
    const name = "preview";
    await f.applyFixture("bluegreen/basic.yaml", {
      NAME: name,
      AUTO: "false",
      AUTO_SECONDS: "",
      DELAY: "2",
      PRE: "",
      POST: "",
    });
    await f.patchSpec(name, { strategy: { blueGreen: { previewReplicaCount: PREVIEW } } });
    const v1 = (await f.waitHealthy(name)).stableRS ?? "";
    await f.setImage(name, "app:2");
    const paused = await f.waitStatus(
      name,
      "waiting for promote",
      (s) => s.phase === "Paused" && s.currentPodHash !== v1,
    );
    const v2 = paused.currentPodHash ?? "";
    assert.deepEqual(paused.blueGreen, { activeSelector: v1, previewSelector: v2 });
    // Without previewReplicaCount the preview would run spec.replicas (3) pods here.
    assert.deepEqual(await f.replicaSets(name), { [`${name}-${v1}`]: REPLICAS, [`${name}-${v2}`]: PREVIEW });
    // The watch may trail the status a little: wait until it has delivered the preview pod's availability.
    await waitFor(() => versionsOf(name, v2).some((e) => e.available === PREVIEW), {
      what: "the preview pod available in the watch history",
    });
    const beforePromote = versionsOf(name, v2);
    assert.deepEqual(
      [...new Set(beforePromote.map((e) => e.replicas))],
      [PREVIEW],
      "the preview ReplicaSet never asked for more than previewReplicaCount before the promotion",
    );

    const { intent } = await f.actions.promote(name);
    const promotedAt = Date.parse(intent.requestedAt);
    const done = await f.waitHealthy(name);
    assert.equal(done.stableRS, v2);

    const switched = await waitFor(() => selections(`${name}-active`).find((s) => s.hash === v2), {
      what: "the active Service on v2 in the watch history",
    });
    const allUp = await waitFor(
      () => versionsOf(name, v2).find((e) => e.replicas === REPLICAS && e.available >= REPLICAS),
      { what: "v2 at 3 available pods in the watch history" },
    );
    const history = versionsOf(name, v2);
    assert.deepEqual(
      history.map((e) => e.replicas).filter((n, i, all) => i === 0 || all[i - 1] !== n),
      [PREVIEW, REPLICAS],
      "1 pod, then 3, nothing else",
    );
    const scaledUp = history.find((e) => e.replicas === REPLICAS);
    assert.ok(scaledUp && scaledUp.at >= promotedAt, "scaled to spec.replicas only after the promotion");
    ctx.diagnostic(`v2 at 3 available: rv ${allUp.rv}; active Service on v2: rv ${switched.rv}`);
    assert.ok(allUp.rv < switched.rv, "the active Service switched only once all 3 pods were available");
    // The preview Service selected v2 before the active one did.
    const preview = selections(`${name}-preview`).find((s) => s.hash === v2);
    assert.ok(preview && preview.rv < switched.rv, "preview first");
  });
});
