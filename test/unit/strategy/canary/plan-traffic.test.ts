// The canary plan with Gateway API routing, reconcile by reconcile: weights move in the HTTPRoute only as
// far as the pods carry them, Services move only where the routes allow, pods go only once traffic left.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { play, type Row, weights } from "../table.ts";
import { deployed, T0 } from "../world.ts";
import { routed, routedCluster } from "./routed.ts";

const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

const cluster = routedCluster;
const STEPS = [{ setWeight: 25 }, { pause: {} }, { setWeight: 50 }, { pause: {} }];

/** A routed rollout of v2 from the first step to 100%, STEPS at 4 pods. */
const TO_FULL: Row[] = [
  {
    when: "Git ships v2: created at the step's pods; the canary Service is re-pinned after the routes",
    given: (w) => w.ship("v2"),
    writes: ["services: web-canary → v2", "replicaSets: create v2 ×1"],
    records: ["RolloutStarted"],
    status: { state: "Stepping", step: 0, weight: 0, stable: "v1" },
    check: (w, { plan }) => {
      assert.deepEqual(plan.servicesFirst, []);
      assert.deepEqual(weights(w, "web"), ["main:100/0"]);
      assert.equal(w.rs("v1")?.spec?.replicas, 4);
      assert.equal(w.pinned("web-stable"), "v1");
    },
  },
  {
    when: "v2's pod is available: the route gives it 25 (guarded by tests of the backend names)",
    given: (w) => w.ready(),
    writes: ["routes: patch HTTPRoute/web"],
    status: { weight: 25, step: 0 },
    check: (w, { plan }) => {
      const at = "/spec/rules/0/backendRefs";
      assert.deepEqual(plan.routes[0]?.op === "patch" && plan.routes[0].ops, [
        { op: "test", path: `${at}/0/name`, value: "web-stable" },
        { op: "add", path: `${at}/0/weight`, value: 75 },
        { op: "test", path: `${at}/1/name`, value: "web-canary" },
        { op: "add", path: `${at}/1/weight`, value: 25 },
      ]);
      assert.deepEqual(weights(w, "web"), ["main:75/25"]);
    },
    // The step completes on the next reconcile, which sees the route as written.
    idle: false,
  },
  {
    when: "the route shows 25: on to the pause",
    writes: [],
    records: ["StepStarted"],
    status: { phase: "Paused", step: 1, pauseStartTime: iso(0) },
  },
  {
    when: "promoted: setWeight 50 scales v2 first, the weight waits for its pods",
    given: (w) => void w.intent("promote"),
    writes: ["replicaSets: scale v2 1→2"],
    records: ["StepStarted", "Promoted"],
    status: { state: "Stepping", step: 2, weight: 25, lastIntentId: "intent-1" },
  },
  {
    when: "v2's pods are available: the route gives it 50",
    given: (w) => w.ready(),
    writes: ["routes: patch HTTPRoute/web"],
    status: { weight: 50 },
    check: (w) => assert.deepEqual(weights(w, "web"), ["main:50/50"]),
    idle: false,
  },
  { when: "on to the last pause", writes: [], records: ["StepStarted"], status: { step: 3 } },
  {
    when: "promoted past the last step: v2 to every pod, stable still full",
    given: (w) => void w.intent("promote"),
    writes: ["replicaSets: scale v2 2→4"],
    records: ["Promoted", "Promoting"],
    status: { state: "Promoting", step: 4, weight: 50 },
  },
  {
    when: "v2 has every pod: all traffic to it",
    given: (w) => w.ready(),
    writes: ["routes: patch HTTPRoute/web"],
    status: { weight: 100 },
    check: (w) => assert.deepEqual(weights(w, "web"), ["main:0/100"]),
    idle: false,
  },
];

/** Completion and the old version's scale-down delay. */
const COMPLETION: Row[] = [
  {
    when: "completion: one plan promotes, pins stable first, gives the route back, holds v1 30s",
    writes: [
      "servicesFirst: web-stable → v2",
      "routes: patch HTTPRoute/web",
      `replicaSets: annotate v1 ramp.dev/scale-down-at=${iso(30)}`,
    ],
    records: ["Completed"],
    status: { phase: "Healthy", state: "Completed", stable: "v2", step: 4, weight: 0, stableRevision: 2 },
    requeue: 30_000,
    check: (w) => {
      assert.deepEqual(weights(w, "web"), ["main:100/0"]);
      assert.equal(w.rs("v1")?.spec?.replicas, 4);
      assert.match(w.status.message ?? "", /scales down at 2026-01-01T00:00:30.000Z/);
    },
  },
  {
    when: "the delay is over: v1 goes",
    given: (w) => w.tick(30),
    writes: ["replicaSets: scale v1 4→0"],
    idle: false,
  },
  {
    when: "v1 is at zero: its stamp is cleared",
    writes: ["replicaSets: annotate v1 ramp.dev/scale-down-at=null"],
    status: { phase: "Healthy" },
  },
];

describe("canary plan: setWeight with Gateway API routing", () => {
  test("weights follow the pods, stable stays full, and completion holds the old version", async (t) => {
    const w = deployed(routed(STEPS), cluster);
    await play(t, w, [...TO_FULL, ...COMPLETION]);
  });

  test("dynamicStableScale: stable shrinks after the weight leaves it, and grows back before it returns", async (t) => {
    const w = deployed(routed([{ setWeight: 25 }, { pause: {} }], { dynamicStableScale: true }), cluster);
    w.ship("v2").reach("Paused");
    assert.deepEqual([w.rs("v1")?.spec?.replicas, weights(w, "web")], [3, ["main:75/25"]]);
    await play(t, w, [
      {
        when: "kubectl ramp abort: stable cannot carry everything yet, so the weight stays",
        given: (w) => void w.intent("abort"),
        writes: ["replicaSets: scale v1 3→4"],
        records: ["Aborted"],
        status: { state: "Aborted", weight: 25, phase: "Degraded" },
      },
      {
        when: "stable has its pods: the weight goes back to it",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web"],
        status: { weight: 0 },
        idle: false,
      },
      {
        // As Argo: with dynamicStableScale and no abortScaleDownDelaySeconds the canary shrinks as traffic leaves.
        when: "the route shows the canary no traffic: the canary goes at once, no 30 s hold",
        writes: ["replicaSets: scale v2 1→0"],
        requeue: undefined,
      },
    ]);
  });

  test("dynamicStableScale with abortScaleDownDelaySeconds set: the canary keeps its pods for that delay", async (t) => {
    const w = deployed(
      routed([{ setWeight: 25 }, { pause: {} }], {
        dynamicStableScale: true,
        abortScaleDownDelaySeconds: 30,
      }),
      cluster,
    );
    w.ship("v2").reach("Paused");
    await play(t, w, [
      {
        when: "kubectl ramp abort",
        given: (w) => void w.intent("abort"),
        writes: ["replicaSets: scale v1 3→4"],
        records: ["Aborted"],
        status: { state: "Aborted", weight: 25 },
        requeue: 30_000,
      },
      {
        when: "stable has its pods: the weight goes back to it; the canary keeps its pods for the delay",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web"],
        status: { weight: 0 },
        check: (w) => assert.equal(w.rs("v2")?.spec?.replicas, 1),
      },
      {
        when: "abortScaleDownDelaySeconds is over: the canary goes",
        given: (w) => w.tick(30),
        writes: ["replicaSets: scale v2 1→0"],
        requeue: undefined,
      },
    ]);
  });

  test("the first reconcile of a step with dynamicStableScale writes the route, then shrinks stable", async (t) => {
    const w = deployed(routed([{ setWeight: 25 }, { pause: {} }], { dynamicStableScale: true }), cluster);
    w.ship("v2").reconcile();
    await play(t, w, [
      {
        when: "v2's pod is available",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web", "replicaSets: scale v1 4→3"],
        status: { weight: 25 },
        idle: false,
      },
    ]);
  });

  test("an abort with no delay scales the canary only once the route shows it no traffic", async (t) => {
    const w = deployed(routed(STEPS, { abortScaleDownDelaySeconds: 0 }), cluster);
    w.ship("v2").reach("Paused");
    await play(t, w, [
      {
        when: "kubectl ramp abort",
        given: (w) => void w.intent("abort"),
        writes: ["routes: patch HTTPRoute/web"],
        records: ["Aborted"],
        status: { state: "Aborted", weight: 0 },
        check: (w) => assert.equal(w.rs("v2")?.spec?.replicas, 1),
        idle: false,
      },
      { when: "the route shows stable only", writes: ["replicaSets: scale v2 1→0"] },
    ]);
  });

  test("a version change mid-rollout takes the old canary's weight before re-pinning its Service", async (t) => {
    const w = deployed(routed(STEPS), cluster);
    w.ship("v2").reach("Paused");
    await play(t, w, [
      {
        when: "Git ships v3 while v2 has 25",
        given: (w) => w.ship("v3"),
        writes: [
          "routes: patch HTTPRoute/web",
          "services: web-canary → v3",
          "replicaSets: create v3 ×1",
          "replicaSets: scale v2 1→0",
        ],
        records: ["RolloutStarted"],
        status: { state: "Stepping", step: 0, weight: 0, stable: "v1" },
        check: (w) => assert.deepEqual(weights(w, "web"), ["main:100/0"]),
      },
    ]);
  });

  test("a new version within the old one's scaleDownDelaySeconds keeps the old pods until the deadline", () => {
    const w = deployed(routed([{ setWeight: 25 }, { pause: {} }]), cluster)
      .ship("v2")
      .reach("Paused");
    w.intent("promote");
    w.reach("Completed");
    assert.equal(w.rs("v1")?.metadata?.annotations?.["ramp.dev/scale-down-at"], iso(30));
    // Traffic left v1 at 00:00:00; requests in flight drain until 00:00:30, whatever Git ships meanwhile.
    const { writes } = w.tick(5).ship("v3").reconcile();
    assert.deepEqual(
      writes.filter((l) => l.includes(" v1 ")),
      [],
      "no write to v1 before its scale-down-at",
    );
    assert.equal(w.rs("v1")?.spec?.replicas, 4);
    const later = w.ready().tick(25).reconcile();
    assert.ok(
      later.writes.some((l) => l.startsWith("replicaSets: scale v1 4→")),
      later.writes.join("; "),
    );
  });
});
