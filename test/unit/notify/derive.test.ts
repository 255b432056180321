// Which notifiable transitions one status write records: a table of (spec, status before, status after) →
// events, with statuses shaped as the controller writes them; then the in-memory World, reconcile by
// reconcile, to show those shapes are the real ones.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Rollout, type RolloutStatus } from "../../../src/api/index.ts";
import { type Health, mergeConditions, wantedConditions } from "../../../src/core/conditions.ts";
import { type Transition, transitions, versionOf } from "../../../src/notify/derive.ts";
import { deployed, type SpecInput, T0, versionHash, type World } from "../strategy/world.ts";
import { NAME, NS, templateOf } from "../strategy/world-objects.ts";

const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
/** The write under test happens 5 minutes after the rollout of v2 started (T0). */
const NOW = T0 + 300_000;
const H1 = versionHash("v1");
const H2 = versionHash("v2");
const image = (v: string) => `${NAME}=registry.example/${NAME}:${v}`;

const STEPS = [{ setWeight: 20 }, { pause: { duration: "30s" } }, { setWeight: 60 }, { pause: {} }];
const canary = (steps: unknown[] = STEPS): SpecInput => ({
  replicas: 5,
  strategy: { canary: { canaryService: "web-canary", stableService: "web-stable", steps: steps as never } },
});
const blueGreen = (autoPromotionEnabled: boolean): SpecInput => ({
  replicas: 3,
  strategy: {
    blueGreen: { activeService: "web-active", previewService: "web-preview", autoPromotionEnabled },
  },
});

/** A Rollout as the cache holds it after parsing (defaults applied), its template at `version`. */
function rolloutOf(spec: SpecInput, version: string): Rollout {
  return Rollout.parse({
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: NAME, namespace: NS, uid: "uid-web", generation: 2 },
    spec: { ...spec, selector: { matchLabels: { app: NAME } }, template: templateOf(version) },
  }) as Rollout;
}

/** The conditions the controller writes for a health (src/core/conditions.ts), as of `at` seconds. */
const conditions = (h: Partial<Health>, at = 0) =>
  mergeConditions(
    undefined,
    wantedConditions({
      deadlineExceeded: false,
      rollingOut: true,
      settled: false,
      available: true,
      message: "",
      ...h,
    }),
    iso(at),
    2,
  );

const machine = (version: string, value: string, context: Record<string, unknown> = {}) => ({
  version,
  value,
  context: { podHash: H2, startedAt: iso(0), attempt: 0, ...context },
});

/** v1 stable and settled, the last step done: nothing in flight. */
const stableAt = (hash: string, revision: number, steps = 4): RolloutStatus => ({
  phase: "Healthy",
  currentPodHash: hash,
  stableRS: hash,
  stableRevision: revision,
  currentStepIndex: steps,
  stepCount: steps,
  canary: { weight: 0 },
  conditions: conditions({ rollingOut: false, settled: true }),
});

/** v2 being shipped by the canary, at step `index` (0-based) and `weight`. */
const stepping = (index: number, weight: number, extra: Partial<RolloutStatus> = {}): RolloutStatus => ({
  phase: "Progressing",
  currentPodHash: H2,
  stableRS: H1,
  stableRevision: 1,
  canaryRevision: 2,
  currentStepIndex: index,
  stepCount: 4,
  canary: { weight },
  machine: machine("canary/v1", "Stepping", { stepIndex: index }),
  conditions: conditions({}),
  ...extra,
});

const pausedAt = (index: number, weight: number, message: string, at = 0): RolloutStatus =>
  stepping(index, weight, {
    phase: "Paused",
    machine: machine("canary/v1", "Paused", { stepIndex: index, pauseReason: "step" }),
    conditions: conditions({ paused: { reason: "PausedStep", message } }, at),
  });

const ABORT = {
  reason: "AnalysisFailed",
  message: "error-rate = 0.07 failed the condition result[0] < 0.05 (3 of 3 measurements)",
  by: "analysis run web-2-1",
  at: iso(290),
};
const aborted = (abort: NonNullable<RolloutStatus["abort"]>, deadline = false): RolloutStatus =>
  stepping(2, 0, {
    phase: "Degraded",
    abort,
    machine: machine("canary/v1", "Aborted", { stepIndex: 2, abort }),
    conditions: conditions({ aborted: abort, deadlineExceeded: deadline, message: "v2 made no progress" }),
  });

const DEADLINE_MESSAGE = "ReplicaSet web-2 has 1/5 available after 600s";
const stalled = (at = 0): RolloutStatus =>
  stepping(2, 60, {
    phase: "Degraded",
    machine: machine("canary/v1", "Stepping", { stepIndex: 2, deadlineExceeded: true }),
    conditions: conditions({ deadlineExceeded: true, message: DEADLINE_MESSAGE }, at),
  });

/** An event as derive records it at NOW: the fields every event carries, then its own. */
const ev = (event: Transition["event"], fields: Partial<Transition> = {}): Transition => ({
  event,
  at: new Date(NOW).toISOString(),
  ...fields,
});
/** The fields of v2 at a canary step (1-based) of 4. */
const v2At = (step: number, weight: number) => ({
  version: image("v2"),
  revision: 2,
  step,
  steps: 4,
  weight,
});

type Row = {
  name: string;
  spec: SpecInput;
  /** The version of spec.template (what Git says now). */
  version: string;
  before: RolloutStatus | undefined;
  after: RolloutStatus;
  want: Transition[];
};

const ROWS: Row[] = [
  {
    name: "a canary enters an indefinite pause step: the step starts and it waits for a person",
    spec: canary(),
    version: "v2",
    before: stepping(2, 60),
    after: pausedAt(3, 60, "step 4/4: paused until promoted"),
    want: [ev("stepStarted", v2At(4, 60)), ev("paused", v2At(4, 60))],
  },
  {
    name: "the pause condition lands a write after the step did: paused alone",
    spec: canary(),
    version: "v2",
    before: stepping(3, 60),
    after: pausedAt(3, 60, "step 4/4: paused until promoted"),
    want: [ev("paused", v2At(4, 60))],
  },
  {
    name: "a timed pause is a step, not a wait for a person: no paused event",
    spec: canary(),
    version: "v2",
    before: stepping(0, 20),
    after: pausedAt(1, 20, `step 2/4: paused, resumes at ${iso(30)}`),
    want: [ev("stepStarted", v2At(2, 20))],
  },
  {
    name: "re-reconciling the same paused state records nothing",
    spec: canary(),
    version: "v2",
    before: pausedAt(3, 60, "step 4/4: paused until promoted"),
    after: pausedAt(3, 60, "step 4/4: paused until promoted"),
    want: [],
  },
  {
    name: "analysis inconclusive: the step's analysis waits for a person, with its message",
    spec: canary([{ setWeight: 20 }, { analysis: { templates: [{ templateName: "error-rate" }] } }]),
    version: "v2",
    before: stepping(1, 20, { stepCount: 2 }),
    after: stepping(1, 20, {
      stepCount: 2,
      phase: "Paused",
      conditions: conditions({
        paused: {
          reason: "InconclusiveAnalysis",
          message: "error-rate: 0.049 is neither success nor failure",
        },
      }),
    }),
    want: [
      ev("analysisInconclusive", {
        version: image("v2"),
        revision: 2,
        step: 2,
        steps: 2,
        weight: 20,
        message: "error-rate: 0.049 is neither success nor failure",
      }),
    ],
  },
  {
    name: "analysis still inconclusive at the next write: nothing more",
    spec: canary([{ setWeight: 20 }, { analysis: { templates: [{ templateName: "error-rate" }] } }]),
    version: "v2",
    before: stepping(1, 20, {
      stepCount: 2,
      conditions: conditions({ paused: { reason: "InconclusiveAnalysis", message: "inconclusive" } }),
    }),
    after: stepping(1, 20, {
      stepCount: 2,
      conditions: conditions({ paused: { reason: "InconclusiveAnalysis", message: "inconclusive" } }),
    }),
    want: [],
  },
  {
    name: "aborted: reason, message and by copied from status.abort",
    spec: canary(),
    version: "v2",
    before: stepping(2, 60),
    after: aborted(ABORT),
    want: [ev("aborted", { ...v2At(3, 60), reason: ABORT.reason, message: ABORT.message, by: ABORT.by })],
  },
  {
    name: "aborted without a person or run named: no by",
    spec: canary(),
    version: "v2",
    before: stepping(2, 60),
    after: aborted({ reason: "AbortedByUser", message: "aborted", at: iso(290) }),
    want: [ev("aborted", { ...v2At(3, 60), reason: "AbortedByUser", message: "aborted" })],
  },
  {
    name: "a second write with the same abort.at records nothing",
    spec: canary(),
    version: "v2",
    before: aborted(ABORT),
    after: aborted(ABORT),
    want: [],
  },
  {
    name: "a new abort (retried, then aborted again: a new abort.at) is told again",
    spec: canary(),
    version: "v2",
    before: aborted(ABORT),
    after: aborted({ ...ABORT, at: iso(299) }),
    want: [ev("aborted", { ...v2At(3, 0), reason: ABORT.reason, message: ABORT.message, by: ABORT.by })],
  },
  {
    name: "progress deadline exceeded: reason and the Progressing condition's message",
    spec: canary(),
    version: "v2",
    before: stepping(2, 60),
    after: stalled(),
    want: [
      ev("progressDeadlineExceeded", {
        ...v2At(3, 60),
        reason: "ProgressDeadlineExceeded",
        message: DEADLINE_MESSAGE,
      }),
    ],
  },
  {
    name: "progress deadline still exceeded at the next write: nothing more",
    spec: canary(),
    version: "v2",
    before: stalled(),
    after: stalled(),
    want: [],
  },
  {
    name: "progress deadline that aborts (abort reason ProgressDeadlineExceeded): one aborted, not both",
    spec: canary(),
    version: "v2",
    before: stepping(2, 60),
    after: aborted({ reason: "ProgressDeadlineExceeded", message: DEADLINE_MESSAGE, at: iso(300) }, true),
    want: [ev("aborted", { ...v2At(3, 60), reason: "ProgressDeadlineExceeded", message: DEADLINE_MESSAGE })],
  },
  {
    name: "healthy when stableRS becomes currentPodHash: durationSeconds from machine.context.startedAt",
    spec: canary(),
    version: "v2",
    before: stepping(4, 100, { machine: machine("canary/v1", "Promoting", { stepIndex: 4 }) }),
    after: {
      ...stableAt(H2, 2),
      canaryRevision: 2,
      machine: machine("canary/v1", "Completed", { stepIndex: 4 }),
    },
    want: [ev("healthy", { ...v2At(4, 0), durationSeconds: 300 })],
  },
  {
    name: "healthy after the machine's slice is gone: the start is read from the status before",
    spec: canary(),
    version: "v2",
    before: stepping(4, 100, { machine: machine("canary/v1", "Promoting", { startedAt: iso(60) }) }),
    after: { ...stableAt(H2, 2), canaryRevision: 2 },
    want: [ev("healthy", { ...v2At(4, 0), durationSeconds: 240 })],
  },
  {
    name: "healthy stays told once: the next write with the same stableRS records nothing",
    spec: canary(),
    version: "v2",
    before: { ...stableAt(H2, 2), canaryRevision: 2 },
    after: { ...stableAt(H2, 2), canaryRevision: 2 },
    want: [],
  },
  {
    // The first write already makes the first version stable, before any pod is available (phase
    // Progressing); there is no machine slice, so no duration.
    name: "the first version of a new Rollout: nothing at its first write, its pods not yet available",
    spec: canary(),
    version: "v1",
    before: undefined,
    after: { ...stableAt(H1, 1), phase: "Progressing", conditions: conditions({ settled: false }) },
    want: [],
  },
  {
    name: "the first version of a new Rollout: healthy once its pods are, without a duration",
    spec: canary(),
    version: "v1",
    before: { ...stableAt(H1, 1), phase: "Progressing", conditions: conditions({ settled: false }) },
    after: stableAt(H1, 1),
    want: [ev("healthy", { version: image("v1"), revision: 1, step: 4, steps: 4, weight: 0 })],
  },
  {
    name: "healthy again after Degraded, for a version already announced: nothing",
    spec: canary(),
    version: "v1",
    before: {
      ...stableAt(H1, 1),
      phase: "Degraded",
      notifications: { seq: 3, healthy: H1 },
    },
    after: { ...stableAt(H1, 1), notifications: { seq: 3, healthy: H1 } },
    want: [],
  },
  {
    name: "Git returns to the stable version mid-rollout: rolledBack, about the version now live",
    spec: canary(),
    version: "v1",
    before: pausedAt(3, 60, "step 4/4: paused until promoted"),
    after: { ...stableAt(H1, 1), canaryRevision: 3 },
    want: [
      ev("rolledBack", {
        version: image("v1"),
        revision: 3,
        step: 4,
        steps: 4,
        weight: 0,
        reason: "RolledBack",
      }),
    ],
  },
  {
    name: "Git ships v2: the first step starts",
    spec: canary(),
    version: "v2",
    before: stableAt(H1, 1),
    after: stepping(0, 20),
    want: [ev("stepStarted", v2At(1, 20))],
  },
  {
    name: "the step index moves: stepStarted at the new step",
    spec: canary(),
    version: "v2",
    before: pausedAt(1, 20, `step 2/4: paused, resumes at ${iso(30)}`),
    after: stepping(2, 60),
    want: [ev("stepStarted", v2At(3, 60))],
  },
  {
    name: "only pods or weights change at the same step: nothing",
    spec: canary(),
    version: "v2",
    before: stepping(2, 20),
    after: stepping(2, 60, { readyReplicas: 5 }),
    want: [],
  },
  {
    name: "a person pauses (PausedByUser): not a notifiable pause",
    spec: canary(),
    version: "v2",
    before: stepping(2, 60),
    after: stepping(2, 60, {
      phase: "Paused",
      conditions: conditions({ paused: { reason: "PausedByUser", message: "paused by alice" } }),
    }),
    want: [],
  },
  {
    name: "blue-green with autoPromotionEnabled false: ready in preview, it waits for a person",
    spec: blueGreen(false),
    version: "v2",
    before: {
      phase: "Progressing",
      currentPodHash: H2,
      stableRS: H1,
      stableRevision: 1,
      canaryRevision: 2,
      machine: machine("bluegreen/v1", "Preview"),
      conditions: conditions({}),
    },
    after: {
      phase: "Paused",
      currentPodHash: H2,
      stableRS: H1,
      stableRevision: 1,
      canaryRevision: 2,
      machine: machine("bluegreen/v1", "Paused", { pauseReason: "awaitingPromotion" }),
      conditions: conditions({
        paused: { reason: "PausedStep", message: `version ${H2} is ready in preview: waiting for promote` },
      }),
    },
    want: [ev("paused", { version: image("v2"), revision: 2 })],
  },
  {
    // Today's machine never writes PausedStep with automatic promotion; were it to (a wait before the
    // switch), nobody is needed, so nobody is told.
    name: "blue-green with autoPromotionEnabled true: a PausedStep is not a wait for a person",
    spec: blueGreen(true),
    version: "v2",
    before: {
      phase: "Progressing",
      currentPodHash: H2,
      stableRS: H1,
      stableRevision: 1,
      canaryRevision: 2,
      machine: machine("bluegreen/v1", "Preview"),
      conditions: conditions({}),
    },
    after: {
      phase: "Paused",
      currentPodHash: H2,
      stableRS: H1,
      stableRevision: 1,
      canaryRevision: 2,
      machine: machine("bluegreen/v1", "Preview"),
      conditions: conditions({ paused: { reason: "PausedStep", message: "switching soon" } }),
    },
    want: [],
  },
];

describe("derive: the events one status write records", () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const rollout = rolloutOf(row.spec, row.version);
      assert.deepEqual(transitions(rollout, row.before, row.after, NOW), row.want);
    });
  }

  test("the version is every container's name=image, joined, at most 1024 characters", () => {
    const two = rolloutOf(canary(), "v2");
    const containers = [
      { name: "web", image: "ghcr.io/shop/web:1.4.2" },
      { name: "sidecar", image: "envoy:1.30" },
    ];
    const withTwo = { spec: { ...two.spec, template: { spec: { containers } } } } as Pick<Rollout, "spec">;
    assert.equal(versionOf(withTwo), "web=ghcr.io/shop/web:1.4.2, sidecar=envoy:1.30");
    const long = [{ name: "web", image: `ghcr.io/shop/${"x".repeat(2000)}` }];
    const withLong = { spec: { ...two.spec, template: { spec: { containers: long } } } } as Pick<
      Rollout,
      "spec"
    >;
    assert.equal(versionOf(withLong)?.length, 1024);
    assert.equal(versionOf({ spec: { ...two.spec, template: {} } } as Pick<Rollout, "spec">), undefined);
  });
});

describe("derive on the statuses the plan really writes (in-memory World)", () => {
  /** Reconciles once and returns the event names that write records. */
  function write(w: World): string[] {
    const before = structuredClone(w.status);
    w.reconcile();
    return transitions(w.rollout(), before, w.status, w.now).map((t) => t.event);
  }

  test("a canary: steps, a timed pause, an indefinite pause, promote, healthy — each told once", () => {
    const w = deployed(canary(), (w) => w.withServices("web-stable", "web-canary"));
    w.ship("v2");
    const seen: string[][] = [];
    for (let i = 0; i < 6; i++) {
      seen.push(write(w));
      w.ready().tick(31);
    }
    w.intent("promote");
    for (let i = 0; i < 4; i++) {
      seen.push(write(w));
      w.ready();
    }
    assert.deepEqual(
      seen.filter((e) => e.length > 0),
      [["stepStarted"], ["stepStarted"], ["stepStarted"], ["stepStarted", "paused"], ["healthy"]],
    );
  });

  test("blue-green: a pause told only without automatic promotion", () => {
    for (const [auto, want] of [
      [false, ["paused"]],
      [true, ["healthy"]],
    ] as const) {
      const w = deployed(blueGreen(auto), (w) => w.withServices("web-active", "web-preview"));
      w.ship("v2");
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        seen.push(...write(w));
        w.ready().tick(40);
      }
      assert.deepEqual(seen, want, `autoPromotionEnabled ${auto}`);
    }
  });

  test("Git back to v1 while v2 waits at a pause: rolledBack; a person's abort of v3: aborted once", () => {
    const w = deployed(canary([{ setWeight: 20 }, { pause: {} }]), (w) =>
      w.withServices("web-stable", "web-canary"),
    );
    w.ship("v2");
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push(...write(w));
      w.ready();
    }
    w.ship("v1");
    seen.push(...write(w), ...write(w));
    w.ship("v3");
    seen.push(...write(w));
    w.ready().intent("abort");
    seen.push(...write(w), ...write(w));
    assert.deepEqual(seen, ["stepStarted", "stepStarted", "paused", "rolledBack", "stepStarted", "aborted"]);
  });
});
