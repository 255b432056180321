// Exactly once through crashes: 20 Rollouts ship two versions while the controller is SIGKILLed 20 times
// at random; every notification arrives (none lost), and duplicates number at most one per kill.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ControllerProcess } from "../../../dev/controller.ts";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { type NotifyReceiver, startNotifyReceiver } from "../../support/notify-receiver.ts";

const ROLLOUTS = 20;
const KILLS = 20;

describe("notifications through controller crashes", () => {
  let f: Fixture;
  let rx: NotifyReceiver;
  let controller: ControllerProcess;
  let kills = 0;
  let killing = true;

  before(async () => {
    f = await Fixture.create("notify-crash");
    rx = await startNotifyReceiver();
    const res = await kubectl(["apply", "-n", f.namespace, "-f", "-"], {
      input: `
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: events}
spec:
  selector: {matchLabels: {team: chaos}}
  webhook: {url: "${rx.cloudEventsUrl}"}
`,
    });
    assert.equal(res.code, 0, res.stderr);
    controller = await f.startController();
  });
  after(async () => {
    killing = false;
    await f?.cleanup();
    await rx?.close();
  });

  /** SIGKILLs the controller 0.3–2.5 s into each life and starts another, until KILLS or told to stop. */
  async function crashLoop(): Promise<void> {
    while (killing && kills < KILLS) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 2200));
      if (!killing) break;
      await controller.kill();
      kills++;
      controller = await f.startController();
    }
  }

  test(`${ROLLOUTS} Rollouts shipping versions while the controller is SIGKILLed ${KILLS} times: nothing lost, at most one duplicate per kill`, async () => {
    const names = Array.from({ length: ROLLOUTS }, (_, i) => `c${i}`);
    const chaos = crashLoop();
    for (const name of names)
      await f.applyFixture("notify/rollout.yaml", {
        NAME: name,
        TEAM: "chaos",
        IMAGE: "app:1",
        PAUSE: "{duration: 1s}",
        METRIC_URL: "http://127.0.0.1:1/unused",
        ANNOTATIONS: "{}",
      });
    for (const name of names) await f.waitHealthy(name, 180_000);
    // New versions until every kill has happened; they skip the analysis step (20% → 1s → 50% → 100%).
    let version = 1;
    while (kills < KILLS || version < 2) {
      version++;
      for (const name of names)
        await f.patchSpec(name, {
          template: { spec: { containers: [{ name: "app", image: `app:${version}` }] } },
          strategy: {
            canary: { steps: [{ setWeight: 20 }, { pause: { duration: "1s" } }, { setWeight: 50 }] },
          },
        });
      for (const name of names)
        await f.waitStatus(
          name,
          `app:${version} healthy`,
          (s) => s.phase === "Healthy" && s.stableRS === s.currentPodHash && s.currentStepIndex === 3,
          240_000,
        );
    }
    const shipped = version;
    killing = false;
    await chaos;
    // The last receipts: every ledger empties once its messages are in.
    for (const name of names)
      await f.waitStatus(name, "ledger emptied", (s) => !s.notifications?.pending?.length, 60_000);

    const got = rx.messages({ kind: "cloudevent" });
    const key = (m: (typeof got)[number]) => {
      const d = (m.body as { data?: { rollout?: { name?: string }; event?: string; version?: string } }).data;
      return `${d?.rollout?.name} ${d?.event} ${d?.version}`;
    };
    const counts = new Map<string, number>();
    for (const m of got) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
    const expected = names.flatMap((n) =>
      Array.from({ length: shipped }, (_, v) => `${n} healthy app=app:${v + 1}`),
    );
    const lost = expected.filter((k) => !counts.has(k));
    const unexpected = [...counts.keys()].filter((k) => !expected.includes(k));
    const duplicates = [...counts.values()].reduce((a, c) => a + c - 1, 0);
    // A duplicate is a re-send of the same ledger entry (same id), never a transition derived twice.
    const ids = new Map<string, Set<string>>();
    for (const m of got) ids.set(key(m), (ids.get(key(m)) ?? new Set()).add(m.id ?? ""));
    const rederived = [...ids.entries()].filter(([, s]) => s.size > 1).map(([k]) => k);
    console.log(
      `# ${kills} kills, ${got.length} messages, ${expected.length} expected, ${lost.length} lost, ${duplicates} duplicates`,
    );
    assert.equal(kills, KILLS, "every kill happened during the run");
    assert.deepEqual(lost, [], "no notification lost");
    assert.deepEqual(unexpected, [], "no notification that no transition asked for");
    assert.deepEqual(rederived, [], "duplicates are re-sends of one ledger entry");
    assert.ok(duplicates <= kills, `${duplicates} duplicates for ${kills} kills`);
  });
});
