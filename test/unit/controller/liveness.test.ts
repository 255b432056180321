// /healthz beyond "the process answers": a reconcile running past --stuck-reconcile-seconds, and a leader
// whose Lease went unrenewed past its expiry, each fail the probe (named in the answer); both recover.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { InFlight, livenessChecks } from "../../../src/controller/liveness.ts";
import { LeaderElector, type Lease } from "../../../src/kube/leader.ts";
import { startHttpServer } from "../../../src/observability/http.ts";

const healthz = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return `${res.status} ${(await res.text()).trim()}`;
};

describe("liveness: a stuck reconcile", () => {
  test("fails /healthz once a reconcile has run longer than the limit, and passes when it settles", async () => {
    let now = 0;
    const rollouts = new InFlight(() => now);
    const runs = new InFlight(() => now);
    const failures: Record<string, unknown>[] = [];
    const server = await startHttpServer({
      addr: "127.0.0.1:0",
      routes: {
        healthz: livenessChecks({
          leaseToleranceMs: 20_000,
          reconciles: [rollouts, runs],
          stuckReconcileMs: 300_000,
          onFailure: (what) => failures.push(what),
        }),
      },
    });
    try {
      assert.equal(await healthz(server.port), "200 ok", "nothing running");
      let finish: () => void = () => {};
      const hung = runs.track("shop/run-1", () => new Promise<void>((resolve) => (finish = resolve)));
      void rollouts.track("shop/web", () => Promise.resolve());
      now = 300_000;
      assert.equal(await healthz(server.port), "200 ok", "exactly at the limit");
      now = 300_001;
      assert.equal(await healthz(server.port), "503 reconcile failed");
      assert.deepEqual(failures.at(-1), { check: "reconcile", key: "shop/run-1", runningMs: 300_001 });
      finish();
      await hung;
      assert.equal(await healthz(server.port), "200 ok", "it settled");
      assert.equal(runs.oldest(), undefined);
    } finally {
      await server.close();
    }
  });

  test("the oldest of several is the one measured; a reconcile that throws leaves no record behind", async () => {
    let now = 0;
    const f = new InFlight(() => now);
    const a = f.track("ns/a", () => sleep(20));
    now = 5;
    const b = f.track("ns/b", () => sleep(10).then(() => Promise.reject(new Error("boom"))));
    now = 10;
    assert.deepEqual(f.oldest(), { key: "ns/a", ms: 10 });
    await assert.rejects(b, /boom/);
    await a;
    assert.equal(f.oldest(), undefined);
  });

  test("--stuck-reconcile-seconds 0 never fails", () => {
    let now = 0;
    const f = new InFlight(() => now);
    void f.track("ns/a", () => new Promise(() => {}));
    now = 10 ** 9;
    const checks = livenessChecks({ leaseToleranceMs: 0, reconciles: [f], stuckReconcileMs: 0 });
    assert.equal(checks.reconcile?.(), true);
  });
});

describe("liveness: a leader that stops renewing", () => {
  test("overdue only while leading past the Lease's expiry; the next renewal clears it", async () => {
    let now = 1_000_000;
    let lease: Lease = { metadata: { name: "l", namespace: "ns", resourceVersion: "1" }, spec: {} };
    let renewals = 0;
    const elector = new LeaderElector({
      leases: {
        read: async () => structuredClone(lease),
        create: async () => {},
        replace: async (_ns, _name, l) => {
          renewals++;
          lease = l;
        },
      },
      namespace: "ns",
      name: "l",
      identity: "me",
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 200,
      now: () => now,
    });
    const checks = livenessChecks({
      elector: () => elector,
      leaseToleranceMs: 1_000,
      reconciles: [],
      stuckReconcileMs: 0,
    });
    assert.equal(elector.renewalOverdueMs(), 0, "not leading");
    elector.start();
    while (!elector.isLeader()) await sleep(5);
    assert.equal(elector.renewalOverdueMs(), 0);
    assert.equal(checks.leaderLease?.(), true);
    // The clock runs on while the renew loop does not get to renew: 3 s of Lease, then overdue.
    now += 4_000;
    assert.equal(elector.renewalOverdueMs(), 1_000);
    assert.equal(checks.leaderLease?.(), true, "within the tolerance");
    now += 1;
    assert.equal(checks.leaderLease?.(), false);
    const before = renewals;
    while (renewals === before) await sleep(5);
    assert.equal(elector.renewalOverdueMs(), 0, "renewed");
    assert.equal(checks.leaderLease?.(), true);
    await elector.stop();
    assert.equal(elector.renewalOverdueMs(), 0, "no longer leading");
  });
});
