// Two controllers with leader election: only the leader writes; when it dies the other takes over; a leader
// that cannot renew steps down and exits before its Lease could pass to another, for the kubelet to restart it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { FaultProxy } from "../../support/fault-proxy.ts";

/** Status writes a controller made, from its own request counter. */
async function statusWrites(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return text
    .split("\n")
    .filter(
      (l) =>
        l.startsWith("ramp_kube_api_requests_total{") &&
        l.includes('resource="rollouts/status"') &&
        l.includes('verb="patch"'),
    )
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

describe("leader election", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("leader");
  });
  after(() => f?.cleanup());

  test("only the leader writes, and the other takes over within the lease duration when it is killed", async () => {
    const a = await f.startController({ args: ["--leader-elect", "--identity", "ctl-a"] });
    const b = await f.startController({ args: ["--leader-elect", "--identity", "ctl-b"] });
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "web",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{duration: 1s}",
      DEADLINE: "600",
    });
    await f.waitHealthy("web");
    await f.setImage("web", "app:2");
    await f.waitHealthy("web");

    const writes = { a: await statusWrites(a.metricsUrl), b: await statusWrites(b.metricsUrl) };
    assert.ok(
      (writes.a === 0) !== (writes.b === 0),
      `exactly one controller wrote: ${JSON.stringify(writes)}`,
    );
    const [leader, follower] = writes.a > 0 ? [a, b] : [b, a];

    await leader.kill();
    const killedAt = Date.now();
    await f.setImage("web", "app:3");
    const done = await f.waitHealthy("web", 60_000);
    assert.equal(done.currentPodHash, done.stableRS);
    const took = await waitFor(
      async () => ((await statusWrites(follower.metricsUrl)) > 0 ? Date.now() - killedAt : undefined),
      {
        what: "the follower's first write",
      },
    );
    assert.ok(took < 15_000 + 2_000 + 10_000, `takeover and a full rollout in ${took} ms`);
  });

  test("SIGTERM: the leader exits 0 and releases the Lease, so the other leads at once", async () => {
    const c = await f.startController({
      args: ["--leader-elect", "--identity", "ctl-c", "--lease-name", "graceful"],
    });
    const d = await f.startController({
      args: ["--leader-elect", "--identity", "ctl-d", "--lease-name", "graceful"],
    });
    const holder = async () =>
      (
        await kubectl([
          "get",
          "lease",
          "graceful",
          "-n",
          f.namespace,
          "-o",
          "jsonpath={.spec.holderIdentity}",
        ])
      ).stdout;
    const first = await waitFor(async () => (await holder()) || undefined, {
      what: "a leader for lease graceful",
    });
    const [leader, other] = first.startsWith("ctl-c") ? [c, "ctl-d"] : [d, "ctl-c"];
    assert.equal(await leader.stop(), 0, "exit code 0 after SIGTERM");
    const stoppedAt = Date.now();
    await waitFor(async () => (await holder()).startsWith(other), {
      what: `${other} to hold the lease`,
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const took = Date.now() - stoppedAt;
    assert.ok(took < 5_000, `released lease taken over in ${took} ms (a lease duration is 15 s)`);
  });

  test("a leader cut off from the apiserver exits before its Lease expires, its /healthz ok until then", async (t) => {
    const proxy = FaultProxy.start();
    t.after(() => proxy.stop());
    const c = await f.startController({
      kubeconfig: await proxy.kubeconfigFor("cut-leader"),
      args: ["--leader-elect", "--identity", "ctl-cut", "--lease-name", "cut"],
    });
    const lease = async () =>
      (
        await kubectl([
          "get",
          "lease",
          "cut",
          "-n",
          f.namespace,
          "-o",
          "jsonpath={.spec.holderIdentity} {.spec.renewTime}",
        ])
      ).stdout;
    await waitFor(async () => (await lease()).startsWith("ctl-cut ") || undefined, {
      what: "ctl-cut to lead",
    });
    // Every request from now on is answered 503, the Lease renewals included.
    proxy.faults = { unavailable: 1 };
    const lastRenew = Date.parse((await lease()).split(" ")[1] ?? "");
    const healthz = await fetch(`${c.healthUrl}/healthz`);
    assert.equal(healthz.status, 200, "within the renew deadline the leader is still healthy");
    const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r("running"), 30_000))]);
    const exitedAt = Date.now();
    assert.equal(code, 1, "the deposed leader exits 1");
    // Renewed at lastRenew at the latest: another candidate could take the Lease 15 s after it.
    assert.ok(exitedAt < lastRenew + 15_000, `exited ${exitedAt - lastRenew} ms after the last renewal`);
    assert.match(readFileSync(c.logFile, "utf8"), /lost the leader lease/);
  });
});
