// Given two controllers with leader election, each reaching the apiserver through the fault proxy under
// its own identity, when the leader is SIGKILLed mid-rollout, then the other takes the Lease once it
// expires and finishes every Rollout, and the proxy's log shows that the two never wrote at the same time.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { faultFigures, writerRuns } from "../../support/fault-audit.ts";
import { FaultProxy } from "../../support/fault-proxy.ts";

const ROLLOUTS = 3;
// The elector's defaults (src/kube/leader.ts): what "within the Lease duration" is measured against.
const LEASE_MS = 15_000;
const RETRY_MS = 2_000 * 1.2;

describe("leader failover through the fault proxy", () => {
  let f: Fixture;
  let proxy: FaultProxy;
  before(async () => {
    f = await Fixture.create("failover");
    proxy = FaultProxy.start({
      faults: {
        tooManyRequests: 0.03,
        internalError: 0.03,
        unavailable: 0.02,
        conflict: 0.03,
        lostAnswer: 0.02,
        retryAfterSeconds: [1, 2],
        cutWatches: 0.3,
        watchLifetimeMs: [1000, 10_000],
      },
    });
  });
  after(async () => {
    await f?.cleanup();
    await proxy?.stop();
  });

  test("the leader is killed mid-rollout; the other takes over within the Lease duration and finishes; writers never overlap", async (ctx: TestContext) => {
    ctx.diagnostic(`fault seed ${proxy.seed}`);
    const start = async (id: string) =>
      f.startController({
        kubeconfig: await proxy.kubeconfigFor(id),
        args: ["--leader-elect", "--identity", id],
      });
    const controllers = { "ctl-a": await start("ctl-a"), "ctl-b": await start("ctl-b") };
    const names = Array.from({ length: ROLLOUTS }, (_, i) => `web${i}`);
    for (const name of names)
      await f.applyFixture("canary/three-steps.yaml", {
        NAME: name,
        IMAGE: "app:1",
        PAUSE1: "3s",
        PAUSE2: "{duration: 3s}",
        DEADLINE: "600",
      });
    await Promise.all(names.map((n) => f.waitHealthy(n, 120_000)));

    await Promise.all(names.map((n) => f.setImage(n, "app:2")));
    await f.waitStatus("web0", "mid-rollout", (s) => (s.currentStepIndex ?? 0) >= 1 && s.phase !== "Healthy");
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
    const [old, next] = holder === "ctl-a" ? (["ctl-a", "ctl-b"] as const) : (["ctl-b", "ctl-a"] as const);
    await controllers[old].kill();
    const killedAt = Date.now();
    const done = await Promise.all(names.map((n) => f.waitHealthy(n, 120_000)));
    const healthyAt = Date.now();
    proxy.faults = {};

    // Every Rollout finished on app:2 with one ReplicaSet per revision and no step repeated.
    for (const [i, name] of names.entries()) {
      const status = done[i];
      assert.equal(status?.stableRS, status?.currentPodHash, name);
      const rs = await f.replicaSets(name);
      assert.equal(Object.keys(rs).length, 2, `${name}: ${JSON.stringify(rs)}`);
      const added = f.history.replicaSets
        .filter((e) => e.type === "ADDED" && e.obj.metadata?.labels?.["ramp.dev/rollout"] === name)
        .map((e) => e.obj.metadata?.name);
      assert.equal(new Set(added).size, added.length, `${name}: no ReplicaSet created twice: ${added}`);
      const steps = f.history
        .statuses(name)
        .filter((s) => s.obj.currentPodHash === status?.currentPodHash)
        .map((s) => Number(s.obj.currentStepIndex ?? 0));
      for (let k = 1; k < steps.length; k++)
        assert.ok((steps[k] ?? 0) >= (steps[k - 1] ?? 0), `${name}: steps went back: ${steps}`);
    }

    // Each identity's requests came through its own port and said who it was.
    for (const r of proxy.log)
      assert.ok(r.userAgent.endsWith(`(${r.client})`), `${r.client} sent ${r.userAgent}`);

    // Writes other than the Lease: all of the old leader's, ended, then all of the new one's.
    const runs = writerRuns(proxy.log, (r) => r.resource !== "leases");
    assert.deepEqual(
      runs.map((r) => r.client),
      [old, next],
      `writers in order: ${runs.map((r) => `${r.client}×${r.count}`)}`,
    );
    const [oldRun, newRun] = runs;
    assert.ok(oldRun && newRun);
    assert.ok(
      oldRun.lastEndedAt < newRun.firstAt,
      "the new leader wrote only after the old one's last write ended",
    );

    // The takeover: the new leader's Lease write that the apiserver accepted, after the last renewal.
    const leaseWrites = proxy.log.filter((r) => r.resource === "leases" && r.write);
    const accepted = (r: { upstreamStatus?: number }) => r.upstreamStatus === 200 || r.upstreamStatus === 201;
    const lastRenew = leaseWrites.filter((r) => r.client === old && accepted(r)).at(-1);
    const acquired = leaseWrites.find((r) => r.client === next && r.at > killedAt && accepted(r));
    assert.ok(lastRenew && acquired, "the Lease writes are in the log");
    // Each faulted Lease request of the new leader costs it at most a retry period and the delay asked;
    // 3 s more covers the read and write that take the Lease on a busy machine.
    const faultCost = proxy.log
      .filter(
        (r) =>
          r.client === next && r.resource === "leases" && r.fault && r.at > killedAt && r.at <= acquired.at,
      )
      .reduce((sum, r) => sum + RETRY_MS + (r.retryAfterSeconds ?? 0) * 1000, 0);
    const sinceRenewMs = acquired.at - lastRenew.at;
    assert.ok(
      sinceRenewMs <= LEASE_MS + RETRY_MS + faultCost + 3000,
      `the Lease was taken ${sinceRenewMs} ms after the last renewal (faults cost up to ${faultCost} ms)`,
    );
    ctx.diagnostic(
      JSON.stringify({
        rollouts: ROLLOUTS,
        killed: old,
        killToLeaseMs: acquired.at - killedAt,
        lastRenewToLeaseMs: sinceRenewMs,
        leaseFaultCostMs: faultCost,
        killToFirstWriteMs: newRun.firstAt - killedAt,
        killToHealthyMs: healthyAt - killedAt,
        auditedWrites: { [old]: oldRun.count, [next]: newRun.count },
        ...faultFigures(proxy.log),
      }),
    );
    await waitFor(async () => (await fetch(`${controllers[next].healthUrl}/healthz`)).ok, {
      what: `${next} to stay healthy`,
    });
  });
});
