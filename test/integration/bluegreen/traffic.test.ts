// Real requests through the active Service during a blue-green switch: none fails, none reaches v2 early.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TrafficProxy } from "../../../dev/traffic/proxy.ts";
import { type StandIn, startStandIns } from "../../../dev/traffic/standins.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("blue-green with real traffic", () => {
  let f: Fixture;
  let standIns: Record<string, StandIn>;
  let proxy: TrafficProxy;
  before(async () => {
    standIns = await startStandIns(["app:1", "app:2"]);
    f = await Fixture.create("bluegreen-traffic");
    await f.startController();
  });
  after(async () => {
    await proxy?.stop();
    await f?.cleanup();
    await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
  });

  test("every request is answered through the switch, and v2 answers only after the active Service moved", async () => {
    await f.applyFixture("bluegreen/basic.yaml", {
      NAME: "web",
      AUTO: "true",
      AUTO_SECONDS: "autoPromotionSeconds: 2",
      DELAY: "5",
      PRE: "",
      POST: "",
    });
    const v1 = (await f.waitHealthy("web")).stableRS;
    proxy = await TrafficProxy.start({
      kc: f.kc,
      namespace: f.namespace,
      mode: { kind: "service", service: "web-active" },
      standIns,
    });
    const answers: { at: number; status: number; body: string }[] = [];
    let running = true;
    const load = (async () => {
      // Bounded and paced (about 150 a second for at most 60 s), stopped by the test when the rollout is done.
      for (let i = 0; running && i < 9000; i++) {
        await new Promise((r) => setTimeout(r, 5));
        const res = await fetch(proxy.url).catch((err: unknown) => ({
          status: 0,
          text: async () => String(err),
        }));
        answers.push({ at: Date.now(), status: res.status, body: await res.text() });
      }
    })();
    await f.setImage("web", "app:2");
    const done = await f.waitHealthy("web", 60_000);
    await proxy.refreshed();
    for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 20));
    running = false;
    await load;

    const failed = answers.filter((a) => a.status !== 200);
    assert.equal(failed.length, 0, `failed requests: ${JSON.stringify(failed.slice(0, 3))}`);
    const switchedAt = f.history.services
      .filter((s) => s.obj.metadata?.name === "web-active")
      .find(
        (s) =>
          (s.obj.spec?.selector as Record<string, string> | undefined)?.["ramp.dev/pod-template-hash"] ===
          done.stableRS,
      )?.at;
    assert.ok(switchedAt, "the switch was seen");
    assert.notEqual(done.stableRS, v1);
    const early = answers.filter((a) => a.body === "app:2" && a.at < switchedAt);
    assert.equal(early.length, 0, `${early.length} requests reached v2 before the switch`);
    assert.ok(
      answers.some((a) => a.body === "app:1"),
      "v1 served before the switch",
    );
    assert.ok(answers.at(-1)?.body === "app:2", "v2 serves after the switch");
  });
});
