// The Rollout series as a table of status writes: what each write sets, counts and observes, and that a
// deleted Rollout leaves nothing behind. A scrape is the registry's text (the event-like series) followed by
// the state series rendered from a fake cache that, like the watch, holds each status as written.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { ApiException } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { parseExposition, type Scrape } from "../../../dev/scrape.ts";
import type { Condition, RolloutStatus } from "../../../src/api/index.ts";
import type { StatusFields } from "../../../src/core/outcome.ts";
import { RampError } from "../../../src/errors.ts";
import { RolloutMetrics } from "../../../src/observability/rollout-metrics.ts";
import { type RolloutStateSource, rolloutStateCollector } from "../../../src/observability/rollout-state.ts";

const KEY = "shop/web";
const T0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
const spec = { replicas: 4, strategy: { canary: { steps: [{ setWeight: 25 }] } } };
const ready = (status: "True" | "False", at: number): Condition => ({
  type: "Ready",
  status,
  reason: status === "True" ? "Healthy" : "RollingOut",
  message: "",
  lastTransitionTime: iso(at),
});
const machine = (podHash: string, startedAt?: number) => ({
  version: "canary/v1",
  value: "Completed",
  context: { podHash, ...(startedAt === undefined ? {} : { startedAt: iso(startedAt) }) },
});
const UID = "uid-web";
const rs = (hash: string, replicas: number, available: number, owner = UID): V1ReplicaSet => ({
  metadata: {
    name: `web-${hash}`,
    labels: { "ramp.dev/pod-template-hash": hash },
    ownerReferences: [
      { apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", name: "web", uid: owner, controller: true },
    ],
  },
  spec: { replicas, selector: {}, template: {} },
  status: { replicas, availableReplicas: available },
});

function setup(exists: (key: string) => boolean = () => true) {
  const registry = new Registry();
  const m = new RolloutMetrics(registry, { exists });
  const rollouts = new Map<string, unknown>();
  const replicaSets = new Map<string, V1ReplicaSet[]>();
  const cache: RolloutStateSource = {
    rollouts: { list: () => [...rollouts.values()] },
    replicaSetsOf: (key) => replicaSets.get(key) ?? [],
  };
  const render = rolloutStateCollector(cache, { chunkBytes: 256 });
  const scrape = async () => {
    let text = await registry.metrics();
    for (const chunk of render() as Iterable<string>) text += chunk;
    return parseExposition(text);
  };
  let status: RolloutStatus = {};
  return {
    m,
    rollouts,
    replicaSets,
    /** One reconcile's write on top of the last, seen by the cache as the watch would; returns the scrape. */
    async write(
      written: StatusFields,
      extra: { replicaSets?: V1ReplicaSet[]; at?: number } = {},
      s: unknown = spec,
    ): Promise<Scrape> {
      m.observe({ key: KEY, object: { spec: s, status }, written, at: extra.at });
      const next: Record<string, unknown> = { ...status };
      for (const [k, v] of Object.entries(written))
        if (v === null) delete next[k];
        else next[k] = v;
      status = next as RolloutStatus;
      if (exists(KEY))
        rollouts.set(KEY, { metadata: { namespace: "shop", name: "web", uid: UID }, spec: s, status });
      if (extra.replicaSets) replicaSets.set(KEY, extra.replicaSets);
      return scrape();
    },
    /** The Rollout's delete as the controller handles it: gone from the cache, its series forgotten. */
    remove(key: string) {
      rollouts.delete(key);
      m.forget(key);
    },
    scrape,
  };
}

const web = { namespace: "shop", rollout: "web" };
const shop = { namespace: "shop" };

/** A new version of `key` from its start at `from` to its first Healthy at `to`, as two reconciles write it. */
function ship(m: RolloutMetrics, key: string, hash: string, from: number, to: number): void {
  const progressing: RolloutStatus = {
    phase: "Progressing",
    currentPodHash: hash,
    machine: machine(hash, from),
    conditions: [ready("False", from)],
  };
  m.observe({ key, object: { spec, status: { phase: "Healthy" } }, written: progressing });
  m.observe({
    key,
    object: { spec, status: progressing },
    written: { phase: "Healthy", conditions: [ready("True", to)] },
  });
}

/** The namespaces that have duration histogram series, each with its observation count. */
const histograms = (s: Scrape) =>
  Object.fromEntries(
    s.find("ramp_rollout_duration_seconds_count").map((x) => [JSON.stringify(x.labels), x.value]),
  );

describe("RolloutMetrics", () => {
  test("info, phase, step, weight and replicas follow the status; the old info series is replaced", async () => {
    const r = setup();
    await r.write({ phase: "Healthy", currentPodHash: "a", availableReplicas: 4 });
    const s = await r.write(
      {
        phase: "Progressing",
        currentPodHash: "b",
        stableRS: "a",
        availableReplicas: 5,
        currentStepIndex: 0,
        stepCount: 1,
        canary: { weight: 25, stableWeight: 75 },
      },
      { replicaSets: [rs("b", 1, 1), rs("a", 4, 4)] },
    );
    assert.deepEqual(
      s.find("ramp_rollout_info").map((x) => x.labels),
      [{ ...web, strategy: "canary", phase: "Progressing", traffic_router: "none" }],
    );
    assert.equal(s.value("ramp_rollout_phase", { ...web, phase: "Progressing" }), 1);
    assert.equal(s.value("ramp_rollout_phase", { ...web, phase: "Healthy" }), 0);
    assert.equal(s.value("ramp_rollout_step", web), 0);
    assert.equal(s.value("ramp_rollout_steps", web), 1);
    assert.equal(s.value("ramp_rollout_canary_weight", web), 25);
    assert.equal(s.value("ramp_rollout_replicas_desired", { ...web, role: "canary" }), 1);
    assert.equal(s.value("ramp_rollout_replicas_desired", { ...web, role: "stable" }), 4);
    assert.equal(s.value("ramp_rollout_replicas_desired", { ...web, role: "total" }), 4);
    assert.equal(s.value("ramp_rollout_replicas_available", { ...web, role: "total" }), 5);
  });

  test("a weight out of maxTrafficWeight is a percent; routers are named in a fixed order", async () => {
    const r = setup();
    const routed = {
      replicas: 4,
      strategy: {
        canary: { trafficRouting: { nginx: { stableIngress: "i" }, gatewayAPI: { httpRoute: "r" } } },
      },
    };
    const s = await r.write({ phase: "Progressing", canary: { weight: 50, stableWeight: 950 } }, {}, routed);
    assert.equal(s.value("ramp_rollout_canary_weight", web), 5);
    assert.equal(s.find("ramp_rollout_info")[0]?.labels.traffic_router, "gatewayAPI+nginx");
  });

  test("a blue-green Rollout has no step or weight series; removing canary fields removes them", async () => {
    const r = setup();
    await r.write({
      phase: "Healthy",
      currentStepIndex: 1,
      stepCount: 1,
      canary: { weight: 0, stableWeight: 100 },
    });
    const s = await r.write({ phase: "Healthy", currentStepIndex: null, stepCount: null, canary: null }, {}, {
      replicas: 2,
      strategy: { blueGreen: { activeService: "a" } },
    } as never);
    assert.equal(s.find("ramp_rollout_step").length, 0);
    assert.equal(s.find("ramp_rollout_canary_weight").length, 0);
    assert.equal(s.find("ramp_rollout_info")[0]?.labels.strategy, "blueGreen");
  });

  test("replicas follow the cached ReplicaSets between reconciles; an earlier Rollout's of the same name are not counted", async () => {
    const r = setup();
    await r.write(
      { phase: "Progressing", currentPodHash: "b", stableRS: "a", availableReplicas: 4 },
      { replicaSets: [rs("b", 1, 0), rs("a", 4, 4), rs("b", 9, 9, "uid-of-a-deleted-web")] },
    );
    r.replicaSets.set(KEY, [rs("b", 2, 2), rs("a", 3, 3)]);
    const s = await r.scrape();
    assert.equal(s.value("ramp_rollout_replicas_desired", { ...web, role: "canary" }), 2);
    assert.equal(s.value("ramp_rollout_replicas_available", { ...web, role: "canary" }), 2);
    assert.equal(s.value("ramp_rollout_replicas_available", { ...web, role: "stable" }), 3);
    // Available never exceeds desired: a ReplicaSet's status may not have seen its new spec yet.
    r.replicaSets.set(KEY, [rs("b", 2, 5), rs("a", 3, 3)]);
    assert.equal((await r.scrape()).value("ramp_rollout_replicas_available", { ...web, role: "canary" }), 2);
  });

  test("a Rollout not reconciled yet: info with phase None, every phase 0, no replica series", async () => {
    const r = setup();
    r.rollouts.set(KEY, { metadata: { namespace: "shop", name: "web", uid: UID }, spec });
    r.replicaSets.set(KEY, [rs("a", 4, 4)]);
    const s = await r.scrape();
    assert.equal(s.find("ramp_rollout_info", web)[0]?.labels.phase, "None");
    assert.deepEqual(
      s.find("ramp_rollout_phase", web).map((x) => x.value),
      [0, 0, 0, 0],
    );
    assert.equal(s.find("ramp_rollout_replicas_desired", web).length, 0);
    assert.equal(s.find("ramp_rollout_condition", web).length, 0);
  });

  test("transitions count phase changes from the status, None for the first", async () => {
    const r = setup();
    await r.write({ phase: "Progressing" });
    await r.write({ phase: "Progressing" });
    await r.write({ phase: "Healthy" });
    const s = await r.write({ phase: "Progressing" });
    assert.equal(
      s.value("ramp_rollout_phase_transitions_total", { ...web, from: "None", to: "Progressing" }),
      1,
    );
    assert.equal(
      s.value("ramp_rollout_phase_transitions_total", { ...web, from: "Progressing", to: "Healthy" }),
      1,
    );
    assert.equal(
      s.value("ramp_rollout_phase_transitions_total", { ...web, from: "Healthy", to: "Progressing" }),
      1,
    );
  });

  test("an abort is counted once per abort (its time), by code; an unknown reason is Other", async () => {
    const r = setup();
    const abort = { reason: "AnalysisFailed", message: "m", at: iso(1) };
    await r.write({ phase: "Degraded", abort });
    await r.write({ phase: "Degraded", abort });
    await r.write({ phase: "Progressing", abort: null });
    await r.write({ phase: "Degraded", abort: { ...abort, at: iso(9) } });
    const s = await r.write({ phase: "Degraded", abort: { reason: "Whatever", message: "m", at: iso(20) } });
    assert.equal(s.value("ramp_rollout_aborts_total", { ...web, reason: "AnalysisFailed" }), 2);
    assert.equal(s.value("ramp_rollout_aborts_total", { ...web, reason: "Other" }), 1);
  });

  test("conditions: one series per type with its status and reason; reasons outside the fixed set are Other", async () => {
    const r = setup();
    const c = (type: string, status: "True" | "False", reason: string): Condition => ({
      type,
      status,
      reason,
      message: "",
      lastTransitionTime: iso(0),
    });
    await r.write({ conditions: [c("Aborted", "False", "NotAborted"), c("Stalled", "False", "AsExpected")] });
    const s = await r.write({
      conditions: [
        c("Aborted", "True", "AnalysisFailed"),
        c("Stalled", "True", "made-up"),
        c("Custom", "True", "x"),
      ],
    });
    assert.deepEqual(
      s.find("ramp_rollout_condition").map((x) => [x.labels.type, x.labels.status, x.labels.reason]),
      [
        ["Aborted", "True", "AnalysisFailed"],
        ["Stalled", "True", "Other"],
      ],
    );
  });

  test("duration: observed at the version's first Healthy, from the machine's start to Ready's transition", async () => {
    const r = setup();
    // First deploy: no machine, nothing observed.
    await r.write({ phase: "Progressing", currentPodHash: "a", conditions: [ready("False", 0)] });
    let s = await r.write({ phase: "Healthy", conditions: [ready("True", 5)] });
    assert.equal(s.find("ramp_rollout_duration_seconds_count").length, 0);
    // v2 starts at 100 (Ready goes False then), promoted and Healthy at 400.
    await r.write({
      phase: "Progressing",
      currentPodHash: "b",
      machine: machine("b", 100),
      conditions: [ready("False", 100)],
    });
    await r.write({ phase: "Paused" });
    await r.write({ phase: "Progressing" });
    s = await r.write({ phase: "Healthy", conditions: [ready("True", 400)] });
    assert.equal(s.value("ramp_rollout_duration_seconds_count", shop), 1);
    assert.equal(s.value("ramp_rollout_duration_seconds_sum", shop), 300);
    assert.equal(s.value("ramp_rollout_duration_seconds_bucket", { ...shop, le: "300" }), 1);
    assert.equal(s.value("ramp_rollout_duration_seconds_bucket", { ...shop, le: "120" }), 0);
    assert.equal(s.value("ramp_rollout_last_duration_seconds", web), 300);
    // A scale-up later (Ready False at 900, after the start) going Healthy again is not a new rollout.
    await r.write({ phase: "Progressing", conditions: [ready("False", 900)] });
    s = await r.write({ phase: "Healthy", conditions: [ready("True", 950)] });
    assert.equal(s.value("ramp_rollout_duration_seconds_count", shop), 1);
    assert.equal(s.value("ramp_rollout_last_duration_seconds", web), 300);
  });

  test("duration: a rollout that started while Degraded counts from its own start; the machine may be gone (blue-green)", async () => {
    const r = setup();
    await r.write({ phase: "Degraded", currentPodHash: "b", conditions: [ready("False", 10)] });
    await r.write({ phase: "Progressing", currentPodHash: "c", machine: machine("c", 50) });
    const s = await r.write({ phase: "Healthy", machine: null, conditions: [ready("True", 80)] });
    assert.equal(s.value("ramp_rollout_duration_seconds_sum", shop), 30);
    assert.equal(s.value("ramp_rollout_last_duration_seconds", web), 30);
  });

  test("duration: never for another version's machine or a snapshot without a start", async () => {
    const r = setup();
    await r.write({
      phase: "Degraded",
      currentPodHash: "a",
      machine: machine("b", 50),
      conditions: [ready("False", 60)],
    });
    let s = await r.write({ phase: "Healthy", conditions: [ready("True", 70)] });
    assert.equal(s.find("ramp_rollout_duration_seconds_count").length, 0);
    await r.write({
      phase: "Progressing",
      currentPodHash: "c",
      machine: machine("c"),
      conditions: [ready("False", 80)],
    });
    s = await r.write({ phase: "Healthy", conditions: [ready("True", 90)] });
    assert.equal(s.find("ramp_rollout_duration_seconds_count").length, 0);
    assert.equal(s.find("ramp_rollout_last_duration_seconds").length, 0);
  });

  test("duration: one histogram per namespace, without a rollout label; the gauge holds each Rollout's last", async () => {
    const r = setup();
    ship(r.m, "shop/web", "a", 0, 300);
    ship(r.m, "shop/api", "b", 100, 160);
    ship(r.m, "bank/ledger", "c", 0, 20);
    ship(r.m, "shop/web", "d", 1000, 1090);
    const s = await r.scrape();
    assert.deepEqual(histograms(s), { '{"namespace":"shop"}': 3, '{"namespace":"bank"}': 1 });
    assert.equal(s.value("ramp_rollout_duration_seconds_sum", shop), 450);
    const buckets = s.find("ramp_rollout_duration_seconds_bucket");
    assert.equal(buckets.length, 2 * 14, "13 buckets and +Inf per namespace");
    assert.deepEqual(new Set(buckets.map((x) => Object.keys(x.labels).join())), new Set(["le,namespace"]));
    assert.equal(s.value("ramp_rollout_last_duration_seconds", web), 90);
    assert.equal(s.value("ramp_rollout_last_duration_seconds", { namespace: "shop", rollout: "api" }), 60);
    assert.equal(s.value("ramp_rollout_last_duration_seconds", { namespace: "bank", rollout: "ledger" }), 20);
  });

  test("forget: the Rollout's gauge goes; its namespace's histogram stays while another Rollout of it remains", async () => {
    const r = setup();
    ship(r.m, "shop/web", "a", 0, 300);
    ship(r.m, "shop/api", "b", 0, 60);
    ship(r.m, "bank/ledger", "c", 0, 20);
    // A Rollout that never completed a rollout (nor changed phase since the controller started) counts too.
    r.m.observe({ key: "shop/idle", object: { spec, status: { phase: "Healthy" } }, written: {} });
    r.m.forget("shop/web");
    r.m.forget("shop/web");
    let s = await r.scrape();
    assert.equal(s.find("ramp_rollout_last_duration_seconds", web).length, 0);
    assert.equal(s.value("ramp_rollout_last_duration_seconds", { namespace: "shop", rollout: "api" }), 60);
    assert.deepEqual(histograms(s), { '{"namespace":"shop"}': 2, '{"namespace":"bank"}': 1 });
    r.m.forget("shop/api");
    assert.deepEqual(histograms(await r.scrape()), { '{"namespace":"shop"}': 2, '{"namespace":"bank"}': 1 });
    // The namespace's last Rollout: its histogram series go, buckets and sum too; other namespaces stay.
    r.m.forget("shop/idle");
    s = await r.scrape();
    assert.deepEqual(histograms(s), { '{"namespace":"bank"}': 1 });
    assert.deepEqual(
      s.samples.filter((x) => x.labels.namespace === "shop"),
      [],
    );
    // A new Rollout in the namespace starts its histogram afresh.
    ship(r.m, "shop/web", "e", 0, 10);
    assert.deepEqual(histograms(await r.scrape()), { '{"namespace":"bank"}': 1, '{"namespace":"shop"}': 1 });
  });

  test("pause overrun: from a timed pause's deadline to the write moving past it, answered at `at`", async () => {
    const steps = [{ setWeight: 25 }, { pause: { duration: "10s" } }, { setWeight: 50 }, { pause: {} }, {}];
    const paused = { replicas: 4, strategy: { canary: { steps } } };
    const r = setup();
    const at = (seconds: number) => ({ at: T0 + seconds * 1000 });
    const count = (s: Scrape) => s.value("ramp_rollout_pause_overrun_seconds_count", {});
    await r.write({ currentStepIndex: 1, pauseStartTime: iso(0) }, at(0), paused);
    // Its deadline is 10 s; the write naming step 2 was answered at 10.3 s.
    let s = await r.write({ currentStepIndex: 2, pauseStartTime: null }, at(10.3), paused);
    assert.equal(count(s), 1);
    assert.ok(Math.abs((s.value("ramp_rollout_pause_overrun_seconds_sum", {}) ?? 0) - 0.3) < 1e-9);
    assert.equal(s.value("ramp_rollout_pause_overrun_seconds_bucket", { le: "0.5" }), 1);
    assert.equal(s.value("ramp_rollout_pause_overrun_seconds_bucket", { le: "0.25" }), 0);
    // A pause without a duration ends when promoted: it has no deadline to overrun.
    await r.write({ currentStepIndex: 3, pauseStartTime: iso(20) }, at(20), paused);
    s = await r.write({ currentStepIndex: 4, pauseStartTime: null }, at(25), paused);
    assert.equal(count(s), 1);
    // A timed pause a person promoted before its deadline did not overrun.
    await r.write({ currentStepIndex: 1, pauseStartTime: iso(100) }, at(100), paused);
    s = await r.write({ currentStepIndex: 2, pauseStartTime: null }, at(105), paused);
    assert.equal(count(s), 1);
    // An abort during the pause does not move the step on; a write without `at` is not timed.
    await r.write({ currentStepIndex: 1, pauseStartTime: iso(200) }, at(200), paused);
    s = await r.write({ phase: "Degraded", pauseStartTime: null }, at(215), paused);
    await r.write({ currentStepIndex: 1, pauseStartTime: iso(300) }, at(300), paused);
    s = await r.write({ currentStepIndex: 2, pauseStartTime: null }, {}, paused);
    assert.equal(count(s), 1);
  });

  test("reconciles are timed; failures are counted by code (ApiError for the apiserver, else Unknown) and rethrown", async () => {
    const r = setup();
    assert.equal(await r.m.time(KEY, async () => "ok"), "ok");
    await assert.rejects(r.m.time(KEY, () => Promise.reject(new ApiException(409, "conflict", "", {}))));
    await assert.rejects(r.m.time(KEY, () => Promise.reject(new RampError("ServiceNotFound", "x"))));
    await assert.rejects(r.m.time(KEY, () => Promise.reject(new TypeError("bug"))));
    const s = await r.scrape();
    assert.equal(s.value("ramp_rollout_reconcile_duration_seconds_count"), 4);
    for (const reason of ["ApiError", "ServiceNotFound", "Unknown"])
      assert.equal(s.value("ramp_rollout_reconcile_errors_total", { ...web, reason }), 1, reason);
  });

  test("forget removes every series of the Rollout and no other", async () => {
    const r = setup();
    await r.write({
      phase: "Progressing",
      currentPodHash: "a",
      machine: machine("a", 0),
      conditions: [ready("False", 0)],
    });
    await r.write(
      {
        phase: "Healthy",
        abort: { reason: "AbortedByUser", message: "", at: iso(1) },
        conditions: [ready("True", 20)],
      },
      { replicaSets: [rs("a", 4, 4)] },
    );
    await assert.rejects(r.m.time(KEY, () => Promise.reject(new Error("x"))));
    r.m.observe({ key: "shop/api", object: { spec, status: {} }, written: { phase: "Healthy" } });
    r.rollouts.set("shop/api", {
      metadata: { namespace: "shop", name: "api" },
      spec,
      status: { phase: "Healthy" },
    });
    assert.ok((await r.scrape()).find("ramp_rollout_replicas_desired", web).length === 3);
    assert.equal((await r.scrape()).value("ramp_rollout_last_duration_seconds", web), 20);
    r.remove(KEY);
    const s = await r.scrape();
    assert.deepEqual(
      s.samples.filter((x) => x.labels.rollout === "web"),
      [],
    );
    assert.ok(s.find("ramp_rollout_info", { rollout: "api" }).length === 1);
    assert.equal(s.value("ramp_rollout_duration_seconds_count", shop), 1, "shop/api keeps shop's histogram");
  });

  test("a Rollout already deleted from the cache gets no series from a reconcile that ends late", async () => {
    const r = setup(() => false);
    await r.write({ phase: "Healthy" });
    await assert.rejects(r.m.time(KEY, () => Promise.reject(new ApiException(404, "gone", "", {}))));
    const s = await r.scrape();
    assert.deepEqual(
      s.samples.filter((x) => x.labels.rollout === "web"),
      [],
    );
  });
});
