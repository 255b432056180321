// A leader failover is a kill the standby recovers from: the new leader reads the ledger in each
// Rollout's status and sends what is still owed. Two controllers with leader election, the leader
// SIGKILLed mid-rollout: every message arrives, and duplicates are at most one (the kill's).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { type NotifyReceiver, startNotifyReceiver } from "../../support/notify-receiver.ts";

const ROLLOUTS = 3;

describe("notifications through a leader failover", () => {
  let f: Fixture;
  let rx: NotifyReceiver;
  before(async () => {
    f = await Fixture.create("notify-failover");
    rx = await startNotifyReceiver();
    const res = await kubectl(["apply", "-n", f.namespace, "-f", "-"], {
      input: `
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: events}
spec:
  selector: {matchLabels: {team: failover}}
  webhook: {url: "${rx.cloudEventsUrl}"}
`,
    });
    assert.equal(res.code, 0, res.stderr);
  });
  after(async () => {
    await f?.cleanup();
    await rx?.close();
  });

  test("the leader is SIGKILLed mid-rollout: the standby takes over and every message arrives, at most one twice", async () => {
    const start = (id: string) => f.startController({ args: ["--leader-elect", "--identity", id] });
    const controllers = { "ctl-a": await start("ctl-a"), "ctl-b": await start("ctl-b") };
    const names = Array.from({ length: ROLLOUTS }, (_, i) => `f${i}`);
    for (const name of names)
      await f.applyFixture("notify/rollout.yaml", {
        NAME: name,
        TEAM: "failover",
        IMAGE: "app:1",
        PAUSE: "{duration: 2s}",
        METRIC_URL: "http://127.0.0.1:1/unused",
        ANNOTATIONS: "{}",
      });
    for (const name of names) await f.waitHealthy(name, 120_000);
    for (const name of names)
      await f.patchSpec(name, {
        template: { spec: { containers: [{ name: "app", image: "app:2" }] } },
        strategy: {
          canary: { steps: [{ setWeight: 20 }, { pause: { duration: "3s" } }, { setWeight: 50 }] },
        },
      });
    await f.waitStatus("f0", "mid-rollout", (s) => (s.currentStepIndex ?? 0) >= 1 && s.phase !== "Healthy");
    const holder = (
      await kubectl([
        "get",
        "lease",
        "ramp-controller",
        "-n",
        f.namespace,
        "-o",
        "jsonpath={.spec.holderIdentity}",
      ])
    ).stdout;
    assert.ok(holder === "ctl-a" || holder === "ctl-b", `the Lease is held by ${holder}`);
    await controllers[holder].kill();
    for (const name of names)
      await f.waitStatus(
        name,
        "app:2 healthy under the new leader",
        (s) => s.phase === "Healthy" && s.stableRS === s.currentPodHash && s.currentStepIndex === 3,
        120_000,
      );
    for (const name of names)
      await f.waitStatus(name, "ledger emptied", (s) => !s.notifications?.pending?.length, 60_000);

    const got = rx.messages({ kind: "cloudevent" }).map((m) => {
      const d = (m.body as { data?: { rollout?: { name?: string }; event?: string; version?: string } }).data;
      return `${d?.rollout?.name} ${d?.event} ${d?.version}`;
    });
    const expected = names.flatMap((n) => [`${n} healthy app=app:1`, `${n} healthy app=app:2`]);
    assert.deepEqual(
      expected.filter((k) => !got.includes(k)),
      [],
      "none lost",
    );
    assert.deepEqual(
      got.filter((k) => !expected.includes(k)),
      [],
      "nothing no transition asked for",
    );
    const duplicates = got.length - new Set(got).size;
    assert.ok(duplicates <= 1, `${duplicates} duplicates for one kill: ${got.join(", ")}`);
  });
});
