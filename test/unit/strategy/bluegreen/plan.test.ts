// The blue-green plan, reconcile by reconcile: the new version comes up behind the preview Service, is
// checked, and the active Service switches only once every pod is available; the old one stays a while.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { play, type Row } from "../table.ts";
import { deployed, type SpecInput, T0, versionHash, World } from "../world.ts";

const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

const blueGreen = (extra: Record<string, unknown>): SpecInput => ({
  replicas: 3,
  strategy: { blueGreen: { activeService: "web-active", previewService: "web-preview", ...extra } },
});
const cluster = (w: World) =>
  w.withServices("web-active", "web-preview").withTemplates("smoke", "error-rate");
const gate = (name: string) => ({ templates: [{ templateName: name }] });

describe("blue-green plan: first deploy", () => {
  test("both Services pinned to the version, created at full scale", async (t) => {
    const w = cluster(new World(blueGreen({})));
    await play(t, w, [
      {
        when: "the first reconcile",
        writes: [
          "servicesFirst: web-active → v1",
          "servicesFirst: web-preview → v1",
          "replicaSets: create v1 ×3",
        ],
        status: { phase: "Progressing", active: "v1", preview: "v1", stable: "v1", step: undefined },
      },
      { when: "its pods are up", given: (w) => w.ready(), writes: [], status: { phase: "Healthy" } },
    ]);
  });
});

const H2 = versionHash("v2");
/** Blue-green runs are named per version and attempt, with the gate in the name. */
const [PRE, POST] = [`web-${H2}-bgpr-0-pre`, `web-${H2}-bgpo-0-post`];

/** v2 behind the preview Service (1 pod), its pre-promotion run, the wait for promote, the scale-up. */
const UP_TO_SWITCH: Row[] = [
  {
    when: "Git ships v2: the preview Service selects it, at previewReplicaCount pods",
    given: (w) => w.ship("v2"),
    writes: ["services: web-preview → v2", "replicaSets: create v2 ×1"],
    records: ["RolloutStarted"],
    status: {
      phase: "Progressing",
      state: "Preview",
      active: "v1",
      preview: "v2",
      stable: "v1",
      canaryRevision: 2,
      message: `previewing version ${H2}: 0/1 available`,
    },
  },
  {
    when: "the preview pod is available: the pre-promotion run",
    given: (w) => w.ready(),
    writes: [`analysis: create ${PRE}`],
    status: { state: "PrePromotion", preRun: PRE },
    check: (w) => assert.equal(w.runs.get(PRE)?.metadata.labels?.["ramp.dev/analysis"], "prePromotion"),
  },
  {
    when: "the run is Successful: waiting for promote (autoPromotionEnabled false)",
    given: (w) => w.finishRun(PRE, "Successful"),
    writes: [],
    records: ["Paused"],
    status: {
      phase: "Paused",
      state: "Paused",
      pauseStartTime: iso(0),
      preRun: undefined,
      message: `version ${H2} is ready in preview: waiting for promote`,
    },
    requeue: undefined,
  },
  {
    when: "kubectl ramp promote: v2 to full scale; active has not moved",
    given: (w) => void w.intent("promote"),
    writes: ["replicaSets: scale v2 1→3"],
    records: ["Promoted"],
    status: { state: "ScalingUp", active: "v1", lastIntentId: "intent-1", intentPending: false },
  },
  {
    when: "2 of 3 pods available: no switch yet",
    given: (w) => w.ready("v2", 2).tick(3),
    writes: [],
    status: { state: "ScalingUp", active: "v1" },
    check: (w) => assert.equal(w.pinned("web-active"), "v1"),
  },
];

/** The switch, the post-promotion run, steady state and the old version's scale-down delay. */
const SWITCH_AND_AFTER: Row[] = [
  {
    when: "every pod available: the switch; v1 stamped to go 40s after it; the post-promotion run",
    given: (w) => w.ready(),
    writes: [
      "services: web-active → v2",
      `replicaSets: annotate v1 ramp.dev/scale-down-at=${iso(43)}`,
      `analysis: create ${POST}`,
    ],
    records: ["Switched"],
    status: { state: "PostPromotion", active: "v2", stable: "v1", postRun: POST },
    check: (w) => assert.equal(w.rs("v1")?.spec?.replicas, 3),
  },
  {
    when: "the stamp was lost (a write that never landed): written again from switchedAt, not from now",
    given: (w) => {
      const annotations = w.rs("v1")?.metadata?.annotations;
      if (annotations) delete annotations["ramp.dev/scale-down-at"];
      w.tick(2);
    },
    writes: [`replicaSets: annotate v1 ramp.dev/scale-down-at=${iso(43)}`],
    status: { state: "PostPromotion" },
  },
  {
    when: "the post-promotion run is Successful: Completed",
    given: (w) => {
      w.tick(3);
      w.finishRun(POST, "Successful");
    },
    writes: [],
    records: ["Completed"],
    status: { state: "Completed", stable: "v2", active: "v2", stableRevision: 2 },
    // Unlike the canary, blue-green writes Completed, and steady state on the next reconcile.
    idle: false,
  },
  {
    when: "steady: Healthy while v1 waits for its deadline",
    writes: [],
    status: { phase: "Healthy", state: "Completed", active: "v2", preview: "v2" },
    requeue: 35_000,
  },
  {
    when: "the deadline passes: v1 goes",
    given: (w) => w.tick(37),
    writes: ["replicaSets: scale v1 3→0"],
    idle: false,
  },
  {
    when: "v1 is at zero: its stamp is cleared",
    writes: ["replicaSets: annotate v1 ramp.dev/scale-down-at=null"],
    status: { phase: "Healthy" },
  },
];

describe("blue-green plan: preview, gates and the switch", () => {
  test("preview at previewReplicaCount, pre-promotion run, promote, switch when ready, post run, steady", async (t) => {
    const spec = blueGreen({
      previewReplicaCount: 1,
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 40,
      prePromotionAnalysis: gate("smoke"),
      postPromotionAnalysis: gate("error-rate"),
    });
    const w = deployed(spec, cluster);
    await play(t, w, [...UP_TO_SWITCH, ...SWITCH_AND_AFTER]);
  });

  test("auto promotion after autoPromotionSeconds, looking again when they are up", async (t) => {
    const w = deployed(blueGreen({ autoPromotionSeconds: 20 }), cluster);
    await play(t, w, [
      {
        when: "Git ships v2: previewed at full scale",
        given: (w) => w.ship("v2"),
        writes: ["services: web-preview → v2", "replicaSets: create v2 ×3"],
        records: ["RolloutStarted"],
        requeue: undefined,
      },
      { when: "2 of 3 available", given: (w) => w.ready("v2", 2), writes: [], status: { state: "Preview" } },
      {
        when: "all available: the switch is due in 20s",
        given: (w) => w.ready(),
        writes: [],
        status: { state: "Gate", message: `version ${w.hash("v2")} switches at ${iso(20)}` },
        requeue: 20_000,
      },
      { when: "10s later", given: (w) => w.tick(10), writes: [], requeue: 10_000 },
      {
        when: "20s after: the switch, and Completed",
        given: (w) => w.tick(10),
        writes: ["services: web-active → v2", `replicaSets: annotate v1 ramp.dev/scale-down-at=${iso(50)}`],
        records: ["Switched", "Completed"],
        status: { state: "Completed", active: "v2", stable: "v2" },
        idle: false,
      },
    ]);
  });
});

describe("blue-green plan: abort and rollback", () => {
  const waiting = (extra: Record<string, unknown> = {}) =>
    deployed(blueGreen({ previewReplicaCount: 1, autoPromotionEnabled: false, ...extra }), cluster)
      .ship("v2")
      .reach("Paused");

  test("abort by a user: active stays, the preview keeps its pods for abortScaleDownDelaySeconds", async (t) => {
    const w = waiting({ abortScaleDownDelaySeconds: 10 });
    await play(t, w, [
      {
        when: "kubectl ramp abort",
        given: (w) => void w.intent("abort"),
        writes: [],
        records: ["Aborted"],
        status: {
          phase: "Degraded",
          state: "Aborted",
          active: "v1",
          abort: "AbortedByUser: aborted by alice",
        },
        requeue: 10_000,
        check: (w) => assert.equal(w.rs("v2")?.spec?.replicas, 1),
      },
      {
        when: "the delay is over: the preview's pods go",
        given: (w) => w.tick(10),
        writes: ["replicaSets: scale v2 1→0"],
        requeue: undefined,
      },
    ]);
  });

  test("a failed post-promotion run switches the active Service back, the old version still up", async (t) => {
    const w = deployed(blueGreen({ postPromotionAnalysis: gate("error-rate") }), cluster).ship("v2");
    w.reconcile();
    await play(t, w, [
      {
        when: "v2 fully available: switched, post-promotion run",
        given: (w) => w.ready(),
        writes: [
          "services: web-active → v2",
          `replicaSets: annotate v1 ramp.dev/scale-down-at=${iso(30)}`,
          `analysis: create ${POST}`,
        ],
        records: ["Switched"],
      },
      {
        when: "the run Fails",
        given: (w) => w.finishRun(POST, "Failed", "metric error-rate: 0.2 is not < 0.05"),
        writes: ["services: web-active → v1"],
        records: ["Aborted"],
        status: {
          state: "Aborted",
          active: "v1",
          abort: "AnalysisFailed: metric error-rate: 0.2 is not < 0.05",
        },
        requeue: 30_000,
        check: (w) => assert.equal(w.rs("v1")?.spec?.replicas, 3),
      },
    ]);
  });

  test("Git back to the stable version mid-rollout: RolledBack, steady at once", async (t) => {
    const w = waiting();
    await play(t, w, [
      {
        when: "Git ships v1 again while v2 waits for promote",
        given: (w) => w.ship("v1"),
        writes: [
          "servicesFirst: web-preview → v1",
          "replicaSets: annotate v1 ramp.dev/revision=3",
          `replicaSets: annotate v2 ramp.dev/scale-down-at=${iso(30)}`,
        ],
        records: ["RolledBack"],
        // The plan makes v1 the newest revision (3): the status says so in the same write.
        status: {
          phase: "Healthy",
          state: undefined,
          stable: "v1",
          active: "v1",
          preview: "v1",
          stableRevision: 3,
        },
        requeue: 30_000,
      },
    ]);
  });

  test("a new version within the old one's scaleDownDelaySeconds keeps the old pods until the deadline", async (t) => {
    const w = deployed(blueGreen({}), cluster).ship("v2").reach("Completed");
    assert.equal(w.rs("v1")?.metadata?.annotations?.["ramp.dev/scale-down-at"], iso(30));
    await play(t, w, [
      {
        when: "Git ships v3 5s after the switch: v1 is still there for a switch back",
        given: (w) => w.tick(5).ship("v3"),
        writes: ["services: web-preview → v3", "replicaSets: create v3 ×3"],
        records: ["RolloutStarted"],
        status: { state: "Preview", active: "v2", preview: "v3" },
        check: (w) => assert.equal(w.rs("v1")?.spec?.replicas, 3),
      },
      {
        when: "v1's scale-down-at is reached",
        given: (w) => w.tick(25),
        writes: ["replicaSets: scale v1 3→0"],
        idle: false,
      },
    ]);
  });
});
