// The canary plan without traffic routing, reconcile by reconcile: the pods are the split, the Services
// are pinned, and every row says exactly what one reconcile writes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { play } from "../table.ts";
import { deployed, type SpecInput, T0, World } from "../world.ts";

const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

// 5 pods: maxSurge 25% → 2, maxUnavailable 25% → 1.
const basic = (steps: unknown[], extra: Partial<SpecInput> = {}): SpecInput => ({
  replicas: 5,
  ...extra,
  strategy: {
    canary: { canaryService: "web-canary", stableService: "web-stable", steps: steps as never },
  },
});
const STEPS = [{ setWeight: 20 }, { pause: { duration: "30s" } }, { setWeight: 60 }, { pause: {} }];
const services = (w: World) => w.withServices("web-stable", "web-canary");

describe("canary plan: first deploy", () => {
  test("one create at full scale, both Services pinned to it, no steps run", async (t) => {
    const w = services(new World(basic(STEPS)));
    await play(t, w, [
      {
        when: "the first reconcile",
        writes: [
          "servicesFirst: web-stable → v1",
          "servicesFirst: web-canary → v1",
          "replicaSets: create v1 ×5",
        ],
        status: { phase: "Progressing", stable: "v1", step: 4, weight: 0, state: undefined },
        requeue: undefined,
      },
      {
        when: "its pods are available: Healthy, nothing to write",
        given: (w) => w.ready(),
        writes: [],
        status: { phase: "Healthy", message: `version ${w.hash("v1")} is stable: 5/5 available` },
      },
    ]);
  });
});

describe("canary plan: setWeight and pauses without routing", () => {
  test("a new version steps through a weight, a timed pause, a weight and a pause until promoted", async (t) => {
    const w = deployed(basic(STEPS), services);
    await play(t, w, [
      {
        when: "Git ships v2: v2 is created at the first step's pods in one create, stable makes room",
        given: (w) => w.ship("v2"),
        writes: ["services: web-canary → v2", "replicaSets: create v2 ×1", "replicaSets: scale v1 5→4"],
        records: ["RolloutStarted"],
        status: { phase: "Progressing", state: "Stepping", step: 0, weight: 20, stable: "v1" },
        // The progress deadline (600 s) is the only deadline ahead.
        requeue: 600_001,
        check: (w) => assert.equal(w.pinned("web-stable"), "v1"),
      },
      {
        when: "v2's pod is available: the split is in place, the 30s pause starts",
        given: (w) => w.ready(),
        writes: [],
        records: ["StepStarted"],
        status: { phase: "Paused", state: "Paused", step: 1, pauseStartTime: iso(0) },
        requeue: 30_000,
      },
      {
        when: "10s later: still paused, looking again when the pause ends",
        given: (w) => w.tick(10),
        writes: [],
        status: { state: "Paused", step: 1 },
        requeue: 20_000,
      },
      {
        when: "the clock passes the pause: setWeight 60 scales v2 up and v1 down within surge",
        given: (w) => w.tick(20),
        writes: ["replicaSets: scale v2 1→3", "replicaSets: scale v1 4→3"],
        records: ["StepStarted"],
        status: { phase: "Progressing", state: "Stepping", step: 2, weight: 60, pauseStartTime: undefined },
        requeue: 600_001,
      },
      {
        when: "v2's pods are available: v1 goes down to its share",
        given: (w) => w.ready(),
        writes: ["replicaSets: scale v1 3→2"],
        status: { step: 2 },
        // The step is judged on what the cache showed before this write: the next reconcile completes it.
        idle: false,
      },
      {
        when: "the split is in place: the pause until promoted begins",
        writes: [],
        records: ["StepStarted"],
        status: { phase: "Paused", state: "Paused", step: 3, message: "step 4/4: paused until promoted" },
        requeue: undefined,
      },
      {
        when: "kubectl ramp promote: past the last step, and the intent is consumed",
        given: (w) => void w.intent("promote"),
        writes: ["replicaSets: scale v2 3→5", "replicaSets: scale v1 2→1"],
        records: ["Promoted", "Promoting"],
        status: { state: "Promoting", step: 4, weight: 100, lastIntentId: "intent-1", intentPending: false },
      },
    ]);
  });

  test("a version changed mid-rollout starts again and scales the old canary away", async (t) => {
    const w = deployed(basic(STEPS), services);
    w.ship("v2").reconcile();
    w.ready().reconcile();
    await play(t, w, [
      {
        when: "Git ships v3 while v2 pauses at 20%",
        given: (w) => w.ship("v3"),
        writes: ["services: web-canary → v3", "replicaSets: create v3 ×1", "replicaSets: scale v2 1→0"],
        records: ["RolloutStarted"],
        status: { state: "Stepping", step: 0, weight: 20, stable: "v1" },
        check: (w) => assert.equal(w.rs("v1")?.spec?.replicas, 4),
      },
    ]);
  });
});

describe("canary plan: user intents and Git", () => {
  const atPause = () => {
    const w = deployed(basic([{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }]), services);
    w.ship("v2").reconcile();
    w.ready().reconcile();
    assert.equal(w.status.machine?.value, "Paused");
    return w;
  };

  test("abort by a user: canary to zero, stable back to full, within the surge budget", async (t) => {
    const w = atPause();
    await play(t, w, [
      {
        when: "kubectl ramp abort",
        given: (w) => void w.intent("abort", { reason: "errors in the logs" }),
        writes: ["replicaSets: scale v2 1→0", "replicaSets: scale v1 4→5"],
        records: ["Aborted"],
        status: {
          phase: "Degraded",
          state: "Aborted",
          weight: 0,
          abort: "AbortedByUser: aborted by alice: errors in the logs",
          lastIntentId: "intent-1",
        },
        requeue: undefined,
      },
      { when: "stable's pods are back: nothing more to do", given: (w) => w.ready(), writes: [] },
    ]);
  });

  test("changed steps start the steps again (StepsChanged) without completing a step on old evidence", async (t) => {
    const w = atPause();
    await play(t, w, [
      {
        when: "Git changes the steps",
        given: (w) =>
          w.edit((s) =>
            basic([{ setWeight: 20 }, { setWeight: 40 }, { pause: {} }], { replicas: s.replicas }),
          ),
        writes: [],
        records: ["StepsChanged"],
        status: { phase: "Progressing", state: "Stepping", step: 0, weight: 20 },
        idle: false,
      },
      {
        when: "the next reconcile finds step 0 in place and starts setWeight 40",
        writes: ["replicaSets: scale v2 1→2", "replicaSets: scale v1 4→3"],
        records: ["StepStarted"],
        status: { state: "Stepping", step: 1, weight: 40 },
      },
    ]);
  });

  test("rollback in Git to the stable version: RolledBack, steady at once", async (t) => {
    const w = atPause();
    await play(t, w, [
      {
        when: "Git ships v1 again",
        given: (w) => w.ship("v1"),
        writes: [
          "servicesFirst: web-canary → v1",
          "replicaSets: annotate v1 ramp.dev/revision=3",
          "replicaSets: scale v1 4→5",
          "replicaSets: scale v2 1→0",
        ],
        records: ["RolledBack"],
        // The plan makes v1 the newest revision (3): the status says so in the same write.
        status: {
          phase: "Progressing",
          stable: "v1",
          state: undefined,
          step: 3,
          weight: 0,
          stableRevision: 3,
        },
      },
      {
        when: "v1 is back at full scale",
        given: (w) => w.ready(),
        writes: [],
        status: { phase: "Healthy", stable: "v1" },
      },
    ]);
  });
});

test("canary plan: Git returns to an earlier version that is not stable: a new rollout on its ReplicaSet", async (t) => {
  const w = deployed(basic([{ setWeight: 20 }, { pause: {} }]), services);
  w.ship("v2").reach("Paused");
  w.ship("v3").reach("Paused");
  await play(t, w, [
    {
      when: "Git ships v2 again while v3 pauses",
      given: (w) => w.ship("v2"),
      writes: [
        "services: web-canary → v2",
        "replicaSets: annotate v2 ramp.dev/revision=4",
        "replicaSets: scale v2 0→1",
        "replicaSets: scale v3 1→0",
      ],
      records: ["RolloutStarted"],
      // The plan makes v2 the newest revision (4): the status says so in the same write.
      status: { state: "Stepping", step: 0, stable: "v1", canaryRevision: 4 },
    },
  ]);
});

describe("canary plan: the progress deadline", () => {
  const stuck = (abort: boolean) =>
    deployed(basic(STEPS, { progressDeadlineSeconds: 60, progressDeadlineAbort: abort }), services);

  test("exceeded: the health says so, nothing is rolled back", async (t) => {
    const w = stuck(false);
    await play(t, w, [
      {
        when: "v2 ships",
        given: (w) => w.ship("v2"),
        writes: ["services: web-canary → v2", "replicaSets: create v2 ×1", "replicaSets: scale v1 5→4"],
        records: ["RolloutStarted"],
        requeue: 60_001,
      },
      {
        when: "61s without an available canary pod",
        given: (w) => w.tick(61),
        writes: [],
        status: { phase: "Degraded", state: "Stepping", abort: undefined },
        requeue: undefined,
        check: (w) => {
          const progressing = w.status.conditions?.find((c) => c.type === "Progressing");
          assert.deepEqual([progressing?.status, progressing?.reason], ["False", "ProgressDeadlineExceeded"]);
        },
      },
      {
        when: "the pod comes up: progress again, on to the pause",
        given: (w) => w.ready(),
        writes: [],
        records: ["StepStarted"],
        status: { phase: "Paused", step: 1 },
      },
    ]);
  });

  test("exceeded with progressDeadlineAbort: Aborted, stable back to full", async (t) => {
    const w = stuck(true);
    w.ship("v2").reconcile();
    await play(t, w, [
      {
        when: "61s without an available canary pod",
        given: (w) => w.tick(61),
        writes: ["replicaSets: scale v2 1→0", "replicaSets: scale v1 4→5"],
        records: ["Aborted"],
        status: {
          phase: "Degraded",
          state: "Aborted",
          weight: 0,
          abort:
            "ProgressDeadlineExceeded: the new version made no progress within 60s (progressDeadlineAbort)",
        },
      },
    ]);
  });
});

describe("canary plan: completion without routing", () => {
  test("promoted at 100%: Completed and Healthy in one plan, stable Service pinned first", async (t) => {
    const w = deployed(basic([{ setWeight: 40 }, { pause: {} }]), services)
      .ship("v2")
      .reach("Paused");
    await play(t, w, [
      {
        when: "kubectl ramp promote at the last pause",
        given: (w) => void w.intent("promote"),
        writes: ["replicaSets: scale v2 2→4", "replicaSets: scale v1 3→2"],
        records: ["Promoted", "Promoting"],
        status: { state: "Promoting", step: 2, weight: 100 },
        // Scale-ups are planned before scale-downs free their room: the next plan uses it.
        idle: false,
      },
      {
        when: "v2's pods are available: v2 to all pods, v1 to none",
        given: (w) => w.ready(),
        writes: ["replicaSets: scale v2 4→5", "replicaSets: scale v1 2→0"],
        status: { state: "Promoting", stable: "v1" },
      },
      {
        when: "v2 has every pod and v1 none: one plan promotes and writes the steady state",
        given: (w) => w.ready(),
        writes: ["servicesFirst: web-stable → v2"],
        records: ["Completed"],
        status: { phase: "Healthy", state: "Completed", stable: "v2", step: 2, weight: 0, stableRevision: 2 },
        requeue: undefined,
      },
    ]);
  });
});
