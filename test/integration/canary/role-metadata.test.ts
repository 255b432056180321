// Given a Rollout with role metadata (Argo's ephemeral metadata), when versions ship, then at every step
// the pods selected by role=canary are exactly the canary's pods, and on promotion (or a blue-green
// switch) the promoted version's running pods take the stable (active) role in place: same pod UIDs,
// no restart, and the canary-only annotation gone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { waitFor } from "../../../dev/kube.ts";
import { HASH_LABEL } from "../../../src/api/labels.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("role metadata (canaryMetadata, stableMetadata, previewMetadata, activeMetadata)", () => {
  let f: Fixture;
  let core: CoreV1Api;
  before(async () => {
    f = await Fixture.create("role-metadata");
    core = f.kc.makeApiClient(CoreV1Api);
    await f.applyFixture("metadata/canary.yaml", { NAME: "meta" });
    await f.startController();
  });
  after(() => f?.cleanup());

  const pods = async (app: string, extra = ""): Promise<V1Pod[]> =>
    (
      await core.listNamespacedPod({ namespace: f.namespace, labelSelector: `app=${app}${extra}` })
    ).items.filter((p) => !p.metadata?.deletionTimestamp);
  const hashes = (ps: V1Pod[]) => [...new Set(ps.map((p) => p.metadata?.labels?.[HASH_LABEL]))].sort();
  const uids = (ps: V1Pod[]) => ps.map((p) => p.metadata?.uid ?? "").sort();

  test("canary: role=canary selects the canary's pods only, at every step; promotion relabels them in place", async () => {
    const first = await f.waitHealthy("meta");
    assert.deepEqual(hashes(await pods("meta", ",role=stable")), [first.stableRS]);
    assert.equal((await pods("meta", ",role=canary")).length, 0);

    await f.setImage("meta", "app:2");
    const paused = await f.waitStatus(
      "meta",
      "paused at 40%",
      (s) => s.phase === "Paused" && s.currentStepIndex === 1,
    );
    const canaryHash = paused.currentPodHash ?? "";
    await waitFor(async () => (await pods("meta", ",role=canary")).length === 2 || undefined, {
      what: "2 canary pods labelled role=canary",
    });
    assert.deepEqual(hashes(await pods("meta", ",role=canary")), [canaryHash]);
    assert.deepEqual(hashes(await pods("meta", ",role=stable")), [first.stableRS]);
    for (const p of await pods("meta", ",role=canary"))
      assert.equal(
        p.metadata?.annotations?.["ramp.dev/note"],
        "under test",
        "canary pods carry the canary's annotation",
      );
    for (const p of await pods("meta", ",role=stable"))
      assert.equal(p.metadata?.annotations?.["ramp.dev/note"], undefined, "stable pods do not");

    await f.actions.promote("meta");
    await f.waitStatus("meta", "at 80%", (s) => (s.currentStepIndex ?? 0) >= 2);
    const before80 = await waitFor(
      async () => {
        const c = await pods("meta", ",role=canary");
        return c.length === 4 && c.every((p) => p.status?.phase === "Running") ? c : undefined;
      },
      { what: "4 canary pods at 80%" },
    );
    assert.deepEqual(hashes(before80), [canaryHash]);

    const done = await f.waitHealthy("meta", 60_000);
    assert.equal(done.stableRS, canaryHash);
    const promoted = await waitFor(
      async () => {
        const all = await pods("meta");
        const mine = all.filter((p) => p.metadata?.labels?.[HASH_LABEL] === canaryHash);
        return mine.length === 5 && mine.every((p) => p.metadata?.labels?.role === "stable")
          ? mine
          : undefined;
      },
      { what: "the promoted version's pods relabelled role=stable" },
    );
    assert.equal(
      (await pods("meta", ",role=canary")).length,
      0,
      "no pod is a canary once the rollout is done",
    );
    const kept = uids(before80).filter((u) => uids(promoted).includes(u));
    assert.deepEqual(kept, uids(before80), "the canary's pods were relabelled, not replaced");
    for (const p of promoted) assert.equal(p.metadata?.annotations?.["ramp.dev/note"], undefined);
  });

  test("blue-green: preview pods carry role=preview, and the switch makes the same pods role=active", async () => {
    const first = await f.waitHealthy("meta-bg");
    assert.deepEqual(hashes(await pods("meta-bg", ",role=active")), [first.stableRS]);
    await f.setImage("meta-bg", "app:2");
    const waiting = await f.waitStatus("meta-bg", "waiting for promote", (s) => s.phase === "Paused");
    const preview = await waitFor(
      async () => {
        const p = await pods("meta-bg", ",role=preview");
        return p.length === 3 ? p : undefined;
      },
      { what: "3 preview pods" },
    );
    assert.deepEqual(hashes(preview), [waiting.currentPodHash]);
    assert.deepEqual(hashes(await pods("meta-bg", ",role=active")), [first.stableRS]);

    await f.actions.promote("meta-bg");
    await f.waitHealthy("meta-bg", 60_000);
    const active = await waitFor(
      async () => {
        const p = (await pods("meta-bg")).filter(
          (x) => x.metadata?.labels?.[HASH_LABEL] === waiting.currentPodHash,
        );
        return p.length === 3 && p.every((x) => x.metadata?.labels?.role === "active") ? p : undefined;
      },
      { what: "the new version's pods relabelled role=active" },
    );
    assert.deepEqual(uids(active), uids(preview), "the preview pods were relabelled, not replaced");
    assert.equal((await pods("meta-bg", ",role=preview")).length, 0);
  });
});
