// The canary plan's AnalysisRuns: created with deterministic names while a step (or the background
// analysis) wants them, read back as phases, terminated when no longer wanted; a failure aborts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { stepsHash } from "../../../../src/strategy/canary/steps.ts";
import { play, weights } from "../table.ts";
import { deployed, T0, type World } from "../world.ts";
import { routed, routedCluster } from "./routed.ts";

const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

const cluster = (w: World) => routedCluster(w).withTemplates("error-rate", "latency");

/** The name the controller gives a run of this rollout attempt: version, steps, attempt and tag. */
const runName = (w: World, tag: string, version = "v2") =>
  `web-${w.hash(version)}-${stepsHash(w.rollout().spec.strategy.canary?.steps ?? []).slice(0, 4)}-0-${tag}`;

const analysis = { analysis: { templates: [{ templateName: "error-rate" }] } };

describe("canary plan: analysis steps", () => {
  test("a run per analysis step; Successful moves on; Failed aborts, weight first, pods after the delay", async (t) => {
    const steps = [{ setWeight: 25 }, analysis, { setWeight: 50 }, analysis, { pause: {} }];
    const background = { templates: [{ templateName: "latency" }], startingStep: 1 };
    const w = deployed(routed(steps, { analysis: background, abortScaleDownDelaySeconds: 20 }), cluster);
    w.ship("v2").reconcile();
    w.ready().reconcile();
    const [s1, s3, bg] = [runName(w, "s1"), runName(w, "s3"), runName(w, "bg")];
    await play(t, w, [
      {
        when: "the weight is in place: the analysis step's run, and the background run from its startingStep",
        writes: [`analysis: create ${s1}`, `analysis: create ${bg}`],
        records: ["StepStarted"],
        status: { state: "Stepping", step: 1, weight: 25, stepRun: s1, backgroundRun: bg },
        check: (w) => {
          const labels = w.runs.get(s1)?.metadata.labels;
          assert.deepEqual(
            [labels?.["ramp.dev/analysis"], labels?.["ramp.dev/step-index"], labels?.["ramp.dev/rollout"]],
            ["step", "1", "web"],
          );
          assert.equal(w.runs.get(bg)?.metadata.labels?.["ramp.dev/analysis"], "background");
        },
      },
      {
        when: "the run is still Running: the step waits",
        given: (w) => w.finishRun(s1, "Running"),
        writes: [],
        status: { step: 1 },
      },
      {
        when: "the run is Successful: setWeight 50 scales v2",
        given: (w) => w.finishRun(s1, "Successful"),
        writes: ["replicaSets: scale v2 1→2"],
        records: ["StepStarted"],
        status: { step: 2, stepRun: undefined, backgroundRun: bg },
      },
      {
        when: "v2's pods are available: the route gives it 50",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web"],
        status: { weight: 50 },
        idle: false,
      },
      {
        when: "on to the second analysis step",
        writes: [`analysis: create ${s3}`],
        records: ["StepStarted"],
        status: { step: 3, stepRun: s3 },
      },
      {
        when: "its run Fails: Aborted with the run's message; the route goes back to stable; pods stay",
        given: (w) => {
          w.finishRun(s3, "Failed", "metric error-rate: 0.31 is not < 0.05");
          w.tick(5);
        },
        writes: ["routes: patch HTTPRoute/web", `analysis: terminate ${bg}`],
        records: ["Aborted"],
        status: {
          phase: "Degraded",
          state: "Aborted",
          weight: 0,
          abort: "AnalysisFailed: metric error-rate: 0.31 is not < 0.05",
          backgroundRun: undefined,
        },
        requeue: 20_000,
        check: (w) => {
          assert.deepEqual(weights(w, "web"), ["main:100/0"]);
          assert.equal(w.rs("v2")?.spec?.replicas, 2);
          assert.equal(w.status.abort?.at, iso(5));
          assert.equal(w.runs.get(bg)?.spec.terminate, true);
        },
      },
      {
        when: "abortScaleDownDelaySeconds (20) is over: the canary's pods go",
        given: (w) => w.tick(20),
        writes: ["replicaSets: scale v2 2→0"],
        status: { state: "Aborted" },
        requeue: undefined,
      },
    ]);
  });

  test("an Error run aborts as AnalysisError", async (t) => {
    const w = deployed(routed([{ setWeight: 25 }, analysis]), cluster);
    w.ship("v2").reach("Stepping");
    w.ready().reconcile();
    w.reconcile();
    const s1 = runName(w, "s1");
    await play(t, w, [
      {
        when: "the run ends in Error",
        given: (w) => w.finishRun(s1, "Error", "metric error-rate: Prometheus unreachable"),
        writes: ["routes: patch HTTPRoute/web"],
        records: ["Aborted"],
        status: { state: "Aborted", abort: "AnalysisError: metric error-rate: Prometheus unreachable" },
      },
    ]);
  });
});

describe("canary plan: background analysis", () => {
  test("runs from the first step through promotion and is terminated when the rollout completes", async (t) => {
    const background = { templates: [{ templateName: "latency" }] };
    const w = deployed(routed([{ setWeight: 50 }, { pause: {} }], { analysis: background }), cluster);
    const bg = () => runName(w, "bg");
    await play(t, w, [
      {
        when: "Git ships v2: its background run starts with the rollout",
        given: (w) => w.ship("v2"),
        writes: ["services: web-canary → v2", "replicaSets: create v2 ×2", `analysis: create ${bg()}`],
        records: ["RolloutStarted"],
        status: { step: 0, backgroundRun: bg() },
      },
      {
        when: "v2's pods are available",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web"],
        idle: false,
      },
      { when: "paused", writes: [], records: ["StepStarted"], status: { backgroundRun: bg() } },
      {
        when: "promoted: still running while v2 goes to 100%",
        given: (w) => void w.intent("promote"),
        writes: ["replicaSets: scale v2 2→4"],
        records: ["Promoted", "Promoting"],
        status: { state: "Promoting", backgroundRun: bg() },
      },
      {
        when: "v2 has every pod",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web"],
        idle: false,
      },
      {
        when: "completed: the background run is terminated in the same plan",
        writes: [
          "servicesFirst: web-stable → v2",
          "routes: patch HTTPRoute/web",
          `replicaSets: annotate v1 ramp.dev/scale-down-at=${iso(30)}`,
          `analysis: terminate ${bg()}`,
        ],
        records: ["Completed"],
        status: { phase: "Healthy", stable: "v2", backgroundRun: undefined },
      },
    ]);
  });

  test("a Failed background run aborts at whatever step the rollout is", async (t) => {
    const background = { templates: [{ templateName: "latency" }] };
    const w = deployed(routed([{ setWeight: 50 }, { pause: {} }], { analysis: background }), cluster);
    w.ship("v2").reach("Paused");
    await play(t, w, [
      {
        when: "the background run Fails during the pause",
        given: (w) => w.finishRun(runName(w, "bg"), "Failed", "metric latency: p99 0.9s is not < 0.5s"),
        writes: ["routes: patch HTTPRoute/web"],
        records: ["Aborted"],
        status: {
          state: "Aborted",
          step: 1,
          weight: 0,
          abort: "AnalysisFailed: metric latency: p99 0.9s is not < 0.5s",
        },
      },
    ]);
  });
  test("an Inconclusive background run pauses the rollout for a person; promote starts a fresh run at the same step", async (t) => {
    const background = { templates: [{ templateName: "latency" }] };
    const w = deployed(
      routed([{ setWeight: 50 }, { setWeight: 80 }, { pause: {} }], { analysis: background }),
      cluster,
    );
    // At the 80% step, its extra pods on their way.
    w.ship("v2").ready().reconcile();
    w.ready().reconcile();
    w.ready().reconcile();
    const step = w.status.currentStepIndex;
    assert.equal(step, 1);
    await play(t, w, [
      {
        when: "the background run ends Inconclusive",
        given: (w) =>
          w.finishRun(runName(w, "bg"), "Inconclusive", "metric latency: value 0.4 met neither condition"),
        writes: [],
        records: ["Paused"],
        status: { state: "Paused", step, backgroundRun: runName(w, "bg") },
        check: (w) => {
          assert.equal(w.status.phase, "Paused");
          assert.match(
            w.status.message ?? "",
            /the background analysis was inconclusive, waiting for promote/,
          );
          assert.equal(
            w.status.conditions?.find((c) => c.type === "Paused")?.reason,
            "InconclusiveAnalysis",
            "Paused condition reason",
          );
        },
      },
      {
        when: "a person promotes: the same step (80%) goes on, with a fresh background run",
        given: (w) => void w.intent("promote"),
        writes: [`analysis: create ${runName(w, "bg1")}`],
        records: ["Promoted"],
        status: { state: "Stepping", step, backgroundRun: runName(w, "bg1") },
        idle: false,
      },
    ]);
  });
});
