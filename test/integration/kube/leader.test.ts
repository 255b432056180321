import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestNamespace, deleteTestNamespace, loadKubeConfig, waitFor } from "../../../dev/kube.ts";
import {
  type LeaderElectionOptions,
  LeaderElector,
  type LeaseApi,
  leaseApi,
} from "../../../src/kube/leader.ts";
import { clientsFor, startProxy } from "./support.ts";

/** MicroTime fields arrive as strings; a Date only if someone else's serializer made one. */
const ms = (t: Date | string | undefined) => (t === undefined ? Number.NaN : new Date(t).getTime());

describe("LeaderElector against the real apiserver", () => {
  const kc = loadKubeConfig();
  const { clients, metrics } = clientsFor(kc);
  let ns = "";

  before(async () => {
    ns = await createTestNamespace("kube-leader", kc);
  });
  after(async () => {
    await deleteTestNamespace(ns, { wait: false, kc });
    await clients.close();
  });

  /** Two candidates for one Lease, recording their callbacks in order. */
  function candidates(lease: string, timing: Partial<LeaderElectionOptions>) {
    const log: string[] = [];
    const make = (identity: string) =>
      new LeaderElector({
        leases: leaseApi(clients),
        namespace: ns,
        name: lease,
        identity,
        metrics,
        onStartedLeading: () => log.push(`${identity} started`),
        onStoppedLeading: () => log.push(`${identity} stopped`),
        ...timing,
      });
    const a = make("candidate-a");
    const b = make("candidate-b");
    const leaders = () => [a, b].filter((e) => e.isLeader());
    return { a, b, log, leaders };
  }

  const readLease = (name: string) => leaseApi(clients).read(ns, name);

  test("exactly one leads; when it stops without release the other takes over once the Lease expires", async () => {
    const leaseDurationMs = 4000;
    const retryPeriodMs = 500;
    const { a, b, log, leaders } = candidates("stop", {
      leaseDurationMs,
      renewDeadlineMs: 3000,
      retryPeriodMs,
    });
    a.start();
    b.start();
    try {
      const [first] = await waitFor(() => (leaders().length > 0 ? leaders() : undefined), {
        what: "a leader",
        timeoutMs: 30_000,
      });
      assert.ok(first);
      // Several renew periods later there is still exactly one leader, and the same one.
      await new Promise((resolve) => setTimeout(resolve, 4 * retryPeriodMs));
      assert.deepEqual(leaders(), [first]);
      assert.equal((await metrics.leader.get()).values[0]?.value, 1);
      const other = first === a ? b : a;
      const firstId = first === a ? "candidate-a" : "candidate-b";
      const otherId = first === a ? "candidate-b" : "candidate-a";
      await first.stop();
      const before = await readLease("stop");
      assert.equal(before.spec?.holderIdentity, firstId, "the stopped leader's Lease is left as it was");
      await waitFor(() => other.isLeader(), {
        what: "the other candidate to lead",
        // leaseDuration + retryPeriod, plus slack for a busy machine.
        timeoutMs: leaseDurationMs + retryPeriodMs + 20_000,
      });
      const after = await readLease("stop");
      assert.equal(after.spec?.holderIdentity, otherId);
      assert.equal(after.spec?.leaseTransitions, (before.spec?.leaseTransitions ?? 0) + 1);
      // It took the Lease only once the stopped leader's last renewal had expired.
      assert.ok(
        ms(after.spec?.acquireTime) - leaseDurationMs >= ms(before.spec?.renewTime),
        `acquired at ${after.spec?.acquireTime}, old renewal ${before.spec?.renewTime}`,
      );
      assert.deepEqual(log, [`${firstId} started`, `${firstId} stopped`, `${otherId} started`]);
    } finally {
      await a.release();
      await b.release();
    }
  });

  test("a leader that cannot renew steps down after renewDeadline, before another may take over", async () => {
    const proxy = await startProxy(kc);
    const cut = clientsFor(proxy.kc);
    const log: string[] = [];
    const timing = { leaseDurationMs: 5000, renewDeadlineMs: 2500, retryPeriodMs: 500 };
    const make = (identity: string, leases: LeaseApi) =>
      new LeaderElector({
        leases,
        namespace: ns,
        name: "deadline",
        identity,
        onStartedLeading: () => log.push(`${identity} started`),
        onStoppedLeading: () => log.push(`${identity} stopped`),
        ...timing,
      });
    const a = make("candidate-a", leaseApi(cut.clients));
    const b = make("candidate-b", leaseApi(clients));
    try {
      a.start();
      await waitFor(() => a.isLeader(), { what: "a to lead", timeoutMs: 30_000 });
      b.start();
      proxy.down();
      await waitFor(() => b.isLeader(), { what: "b to lead", timeoutMs: 60_000 });
      // a gave up at renewDeadline (2.5 s), b could only acquire after leaseDuration (5 s).
      assert.deepEqual(log, ["candidate-a started", "candidate-a stopped", "candidate-b started"]);
      assert.equal(a.isLeader(), false);

      proxy.up();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(a.isLeader(), false, "a campaigns again but the Lease is b's");
      assert.equal(b.isLeader(), true);
    } finally {
      await a.stop();
      await b.release();
      await cut.clients.close();
      await proxy.close();
    }
  });

  test("release() empties the Lease so the other candidate takes over without waiting for expiry", async () => {
    // A Lease far longer than the wait below: only release() can explain a quick takeover.
    const leaseDurationMs = 60_000;
    const { a, b, log, leaders } = candidates("release", {
      leaseDurationMs,
      renewDeadlineMs: 30_000,
      retryPeriodMs: 500,
    });
    a.start();
    await waitFor(() => a.isLeader(), { what: "a to lead", timeoutMs: 30_000 });
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(leaders(), [a], "b cannot take a held Lease");

    await a.release();
    assert.equal(a.isLeader(), false);
    await waitFor(() => b.isLeader(), { what: "b to lead after release", timeoutMs: 20_000 });
    const lease = await readLease("release");
    assert.equal(lease.spec?.holderIdentity, "candidate-b");
    assert.deepEqual(log, ["candidate-a started", "candidate-a stopped", "candidate-b started"]);

    await b.release();
    const released = await readLease("release");
    assert.equal(released.spec?.holderIdentity, undefined);
    assert.equal((await metrics.leader.get()).values[0]?.value, 0);
  });
});
