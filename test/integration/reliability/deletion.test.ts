// Things deleted under ramp mid-rollout: what ramp made is repaired or cleaned up, nothing else is touched.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { follow } from "../../../dev/watch.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

/** What a namespace holds, one line per object: kind/name uid, with the labels that say whose it is. */
const INVENTORY = [
  "rollouts.ramp.dev",
  "analysisruns.ramp.dev",
  "analysistemplates.ramp.dev",
  "replicasets",
  "pods",
  "services",
  "configmaps",
  "serviceaccounts",
  "jobs",
].join(",");
type Item = { key: string; uid: string; rollout: string; app: string };

/** "1 Rollout, 1 AnalysisRun, 2 ReplicaSet, 5 Pod": what a list of items holds, by kind. */
const collected = (items: Item[]): string => {
  const n = new Map<string, number>();
  for (const i of items) {
    const kind = i.key.split("/")[0] ?? "";
    n.set(kind, (n.get(kind) ?? 0) + 1);
  }
  return [...n].map(([k, c]) => `${c} ${k}`).join(", ");
};

describe("deletion mid-rollout", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("deletion");
    await f.startController();
  });
  let web: Server;
  let url = "";
  before(async () => {
    // A web metric that always passes: the analysis keeps measuring, it never ends on its own.
    web = createServer((_req, res) => res.end(JSON.stringify({ ok: true })));
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/status.json`;
  });
  after(async () => {
    await f?.cleanup();
    web?.close();
  });

  async function inventory(): Promise<Item[]> {
    const r = await kubectl([
      "get",
      INVENTORY,
      "-n",
      f.namespace,
      "-o",
      'jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.uid} {.metadata.labels.ramp\\.dev/rollout} {.metadata.labels.app}{"\\n"}{end}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [key = "", uid = "", rollout = "", app = ""] = l.split(" ");
        return { key, uid, rollout, app };
      });
  }

  /** Ships v2 of an analysis-step canary and waits until its AnalysisRun is measuring. */
  async function midAnalysis(name: string): Promise<string> {
    await f.shipAnalysisStep(name, {
      METRIC: "ok",
      COUNT: "100000",
      VERSION: "v2",
      CONDITION: 'successCondition: "result == true"',
      PROVIDER: `web: {url: "${url}", jsonPath: "{$.ok}"}`,
    });
    await f.waitStatus(name, "in the analysis step", (st) => st.currentStepIndex === 1, 90_000);
    return waitFor(
      async () => {
        const [run] = await f.analysisRuns(name);
        if (!run) return undefined;
        const ar = await f.analysisRun(run);
        const measured = (ar.status?.metricResults ?? []).some((m) => (m.measurements ?? []).length > 0);
        return ar.status?.phase === "Running" && measured ? run : undefined;
      },
      { what: `an AnalysisRun of ${name} measuring`, timeoutMs: 60_000 },
    );
  }

  test("a canary ReplicaSet deleted by hand is recreated at the step's scale on the next reconcile", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "web",
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("web");
    await f.setImage("web", "app:2");
    const s = await f.waitStatus(
      "web",
      "in the 1h pause",
      (st) => st.phase === "Paused" && st.currentStepIndex === 1,
    );
    const canary = `web-${s.currentPodHash}`;
    const uid = (await kubectl(["get", "rs", canary, "-n", f.namespace, "-o", "jsonpath={.metadata.uid}"]))
      .stdout;
    const del = await kubectl(["delete", "rs", canary, "-n", f.namespace]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor(
      async () => {
        const r = await kubectl([
          "get",
          "rs",
          canary,
          "-n",
          f.namespace,
          "-o",
          "jsonpath={.metadata.uid} {.spec.replicas} {.status.availableReplicas}",
        ]);
        const [newUid, replicas, available] = r.stdout.split(" ");
        return r.code === 0 && newUid !== uid && replicas === "1" && available === "1";
      },
      { what: "the canary ReplicaSet to be recreated with 1 available pod", timeoutMs: 60_000 },
    );
    const after = await f.rollout("web");
    assert.equal(after.status?.currentStepIndex, 1, "still in the same step");
    assert.equal(after.status?.stableRS, s.stableRS);
  });

  test("deleting a Rollout mid-canary removes its ReplicaSets (owner references) and nothing else", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "gone",
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("gone");
    await f.setImage("gone", "app:2");
    await f.waitStatus("gone", "in the 1h pause", (st) => st.phase === "Paused");
    await kubectl(["delete", "rollout.ramp.dev", "gone", "-n", f.namespace]);
    await waitFor(async () => Object.keys(await f.replicaSets("gone")).length === 0, {
      what: "the ReplicaSets of gone to be collected",
      timeoutMs: 60_000,
    });
    const services = await kubectl([
      "get",
      "svc",
      "gone-stable",
      "gone-canary",
      "-n",
      f.namespace,
      "-o",
      "name",
    ]);
    assert.equal(services.code, 0, "the user's Services stay");
    assert.equal(services.stdout.trim().split("\n").length, 2);
    assert.equal((await f.rollout("web")).status?.phase, "Paused", "the other Rollout is untouched");
  });

  for (const round of [1, 2]) {
    test(`deleting a Rollout mid-analysis (#${round}) removes its AnalysisRuns and ReplicaSets (owner references) and nothing else`, async (ctx) => {
      const name = `judged-${round}`;
      const run = await midAnalysis(name);
      const other = await midAnalysis(`bystander-${round}`);
      const ar = await f.analysisRun(run);
      const rollout = await f.rollout(name);
      const uid = (rollout.metadata as { uid?: string }).uid;
      const owners =
        (
          ar.metadata as {
            ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
          }
        ).ownerReferences ?? [];
      assert.deepEqual(
        owners.map((o) => [o.kind, o.name, o.uid, o.controller]),
        [["Rollout", name, uid, true]],
        "the AnalysisRun is the Rollout's, as the garbage collector sees it",
      );
      const mine = (i: Item) => i.rollout === name || i.app === name || i.key === `Rollout/${name}`;
      const before = await inventory();
      assert.ok(before.some((i) => i.key === `AnalysisRun/${run}`));

      const runs: { type: string; name: string; rv: number }[] = [];
      const watch = await follow(
        f.kc,
        `/apis/ramp.dev/v1alpha1/namespaces/${f.namespace}/analysisruns`,
        (type, o) =>
          runs.push({ type, name: o.metadata?.name ?? "", rv: Number(o.metadata?.resourceVersion ?? 0) }),
      );
      const started = Date.now();
      try {
        const del = await kubectl(["delete", "rollout.ramp.dev", name, "-n", f.namespace, "--wait=false"]);
        assert.equal(del.code, 0, del.stderr);
        await waitFor(
          async () => {
            const left = (await inventory()).filter(mine);
            return left.length === 0;
          },
          { what: `everything of ${name} to be collected`, timeoutMs: 90_000 },
        );
      } finally {
        watch.stop();
      }
      const ms = Date.now() - started;

      const gone = f.history.rollouts.find((e) => e.type === "DELETED" && e.obj.metadata?.name === name);
      assert.ok(gone, "the watch saw the Rollout go");
      const goneRv = Number((gone.obj.metadata as { resourceVersion?: string }).resourceVersion);
      const runGone = runs.find((e) => e.type === "DELETED" && e.name === run);
      assert.ok(runGone, "the watch saw the AnalysisRun go");
      // The garbage collector deletes dependents only once their owner is gone.
      assert.ok(goneRv < runGone.rv, `Rollout gone at ${goneRv}, AnalysisRun at ${runGone.rv}`);
      assert.deepEqual(
        runs.filter((e) => e.type === "ADDED" && e.rv > goneRv && e.name !== other),
        [],
        "no AnalysisRun was made for the deleted Rollout",
      );

      const after = await inventory();
      const kept = before.filter((i) => !mine(i));
      assert.deepEqual(
        after.map((i) => `${i.key} ${i.uid}`).sort(),
        kept.map((i) => `${i.key} ${i.uid}`).sort(),
        "everything else in the namespace is as it was (same objects, same uids)",
      );
      assert.ok(
        after.some((i) => i.key === `AnalysisTemplate/${name}-check`),
        "the template stays",
      );
      assert.equal((await f.analysisRun(other)).status?.phase, "Running", "the other analysis goes on");
      ctx.diagnostic(
        `${collected(before.filter(mine))} of ${name} collected in ${ms} ms (Rollout gone at revision ${goneRv}, AnalysisRun at ${runGone.rv}); ${kept.length} others untouched`,
      );
    });
  }
});
