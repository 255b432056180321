// The dashboard's pure model builders as tables: a raw Rollout (and its ReplicaSets, pods, runs) in, the
// contract's shapes out.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DASHBOARD_ACTIONS, type DashboardAction, type Permission } from "../../../src/dashboard/contract.ts";
import {
  actionNonsense,
  analysisRunView,
  describeStep,
  rolloutDetail,
  stepViews,
  versionViews,
} from "../../../src/dashboard/model/detail.ts";
import type { RawReplicaSet, RawRollout, RawStep } from "../../../src/dashboard/model/raw.ts";
import { rolloutSummary } from "../../../src/dashboard/model/summary.ts";

const template = (image: string) => ({ spec: { containers: [{ name: "app", image }] } });
const rs = (hash: string, revision: number, image: string, ready = 1): RawReplicaSet => ({
  metadata: {
    name: `web-${hash}`,
    labels: { "ramp.dev/pod-template-hash": hash },
    annotations: { "ramp.dev/revision": String(revision) },
  },
  spec: { replicas: 2, template: template(image) },
  status: { replicas: 2, readyReplicas: ready },
});
const base = (over: { spec?: RawRollout["spec"]; status?: RawRollout["status"] } = {}): RawRollout => ({
  metadata: { namespace: "ns", name: "web", resourceVersion: "7", creationTimestamp: "2026-12-07T10:00:00Z" },
  spec: {
    template: template("app:2"),
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: { duration: "30s" } }, { setWeight: 50 }] } },
    ...over.spec,
  },
  status: {
    phase: "Progressing",
    currentPodHash: "h2",
    stableRS: "h1",
    currentStepIndex: 1,
    stepCount: 3,
    canary: { weight: 20 },
    machine: { value: "Stepping", context: {} },
    ...over.status,
  },
});

describe("model: rolloutSummary", () => {
  const cases: [string, RawRollout, RawReplicaSet[], Record<string, unknown>][] = [
    [
      "canary mid-way: 1-based step, weight",
      base(),
      [],
      { step: { index: 2, count: 3 }, weight: 20, phase: "Progressing" },
    ],
    [
      "past the last step: count/count",
      base({ status: { currentStepIndex: 3 } }),
      [],
      { step: { index: 3, count: 3 } },
    ],
    ["no steps: no step", base({ status: { stepCount: 0 } }), [], { step: undefined }],
    [
      "blue-green: no step",
      base({ spec: { strategy: { blueGreen: {} } } }),
      [],
      { strategy: "blueGreen", step: undefined },
    ],
    ["unknown phase", base({ status: { phase: "Weird" } }), [], { phase: "Unknown" }],
    ["images from the template", base(), [], { images: ["app=app:2"] }],
    [
      "stable images when the stable version differs",
      base(),
      [rs("h1", 1, "app:1"), rs("h2", 2, "app:2")],
      { images: ["app=app:2"], stableImages: ["app=app:1"] },
    ],
    [
      "workloadRef without a template: the newest ReplicaSet's images",
      { ...base(), spec: { workloadRef: { name: "web-deploy" } } },
      [rs("h2", 2, "app:3")],
      { images: ["app=app:3"] },
    ],
    [
      "workloadRef and no ReplicaSet yet: its name",
      { ...base(), spec: { workloadRef: { name: "web-deploy" } } },
      [],
      { images: ["workloadRef: web-deploy"] },
    ],
    [
      "aborted: code and full message",
      base({
        status: {
          abort: { reason: "AnalysisFailed", message: "errors 0.2 > 0.01", by: "analysis", at: "t" },
        },
      }),
      [],
      { abort: { reason: "AnalysisFailed", message: "errors 0.2 > 0.01", by: "analysis", at: "t" } },
    ],
  ];
  for (const [name, r, sets, want] of cases)
    test(name, () => {
      const got = rolloutSummary(r, sets) as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, k);
      assert.equal(got.resourceVersion, "7");
    });
});

describe("model: steps", () => {
  const cases: [RawStep, string][] = [
    [{ setWeight: 20 }, "setWeight 20"],
    [{ pause: { duration: "30s" } }, "pause 30s"],
    [{ pause: {} }, "pause (until promoted)"],
    [
      { analysis: { templates: [{ templateName: "error-rate" }, { templateName: "latency" }] } },
      "analysis: error-rate, latency",
    ],
    [{ setCanaryScale: { replicas: 3 } }, "setCanaryScale 3 pods"],
    [{ setCanaryScale: { weight: 10 } }, "setCanaryScale 10%"],
    [{ setHeaderRoute: { name: "beta" } }, "setHeaderRoute beta"],
    [{ setMirrorRoute: { name: "m", percentage: 5 } }, "setMirrorRoute m 5%"],
  ];
  for (const [step, want] of cases) test(`describe ${want}`, () => assert.equal(describeStep(step), want));

  test("states, and a current timed pause ends at pauseStartTime + duration", () => {
    const steps = stepViews(
      base({ status: { currentStepIndex: 1, pauseStartTime: "2026-12-07T10:00:00Z" } }),
    );
    assert.deepEqual(
      steps.map((s) => [s.state, s.endsAt]),
      [
        ["done", undefined],
        ["current", "2026-12-07T10:00:30.000Z"],
        ["next", undefined],
      ],
    );
  });

  test("a pause until promoted has no end; a pause not yet started neither", () => {
    const r = base({
      spec: { strategy: { canary: { steps: [{ pause: {} }, { pause: { duration: "1h30m" } }] } } },
      status: { currentStepIndex: 0, pauseStartTime: "2026-12-07T10:00:00Z" },
    });
    assert.deepEqual(
      stepViews(r).map((s) => s.endsAt),
      [undefined, undefined],
    );
    const second = stepViews({ ...r, status: { ...r.status, currentStepIndex: 1 } });
    assert.equal(second[1]?.endsAt, "2026-12-07T11:30:00.000Z");
  });
});

describe("model: versions", () => {
  const pod = (name: string, hash: string, ready: boolean, restarts: number) => ({
    metadata: { name, labels: { "ramp.dev/pod-template-hash": hash } },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      containerStatuses: [{ restartCount: restarts }],
    },
  });
  const sets = [rs("h0", 1, "app:0"), rs("h1", 2, "app:1"), rs("h2", 3, "app:2")];
  const pods = [pod("a", "h2", true, 0), pod("b", "h2", false, 3), pod("c", "h1", true, 0)];

  test("canary: canary, stable, old; newest first; pods by hash", () => {
    const v = versionViews(base(), sets, pods);
    assert.deepEqual(
      v.map((x) => [x.hash, x.role, x.revision, x.pods.map((p) => `${p.name}:${p.ready}:${p.restarts}`)]),
      [
        ["h2", "canary", 3, ["a:true:0", "b:false:3"]],
        ["h1", "stable", 2, ["c:true:0"]],
        ["h0", "old", 1, []],
      ],
    );
  });

  test("blue-green: preview and active", () => {
    const v = versionViews(base({ spec: { strategy: { blueGreen: {} } } }), sets, []);
    assert.deepEqual(
      v.map((x) => x.role),
      ["preview", "active", "old"],
    );
  });
});

describe("model: analysis runs", () => {
  test("a Secret arg is shown as its reference, never its value; measurements from metricResults", () => {
    const view = analysisRunView({
      metadata: { name: "run" },
      spec: {
        metrics: [{ name: "errors", successCondition: "result < 0.01" }],
        args: [
          { name: "key", value: "leaked", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } },
          { name: "svc", value: "web" },
        ],
      },
      status: {
        phase: "Running",
        metricResults: [
          {
            name: "errors",
            phase: "Running",
            measurements: [{ phase: "Successful", value: "0.001", finishedAt: "t1" }],
          },
        ],
      },
    });
    assert.ok(!JSON.stringify(view).includes("leaked"));
    assert.deepEqual(view.args, [
      { name: "key", from: "secret:db/pw" },
      { name: "svc", value: "web" },
    ]);
    assert.deepEqual(view.metrics, [
      {
        name: "errors",
        phase: "Running",
        successCondition: "result < 0.01",
        failureCondition: undefined,
        measurements: [{ at: "t1", value: "0.001", phase: "Successful", message: undefined }],
      },
    ]);
  });
});

describe("model: which actions make sense now", () => {
  const aborted = base({ status: { machine: { value: "Aborted", context: {} } } });
  const paused = base({ status: { machine: { value: "Paused", context: { userPaused: true } } } });
  const done = base({ status: { currentPodHash: "h1", machine: { value: "Completed", context: {} } } });
  const sets = versionViews(base(), [rs("h1", 1, "a"), rs("h2", 2, "b")], []);
  const cases: [string, RawRollout, DashboardAction, string | undefined][] = [
    ["promote in progress", base(), "promote", undefined],
    ["promote when done", done, "promote", "no rollout in progress"],
    ["promote when aborted", aborted, "promoteFull", "aborted: retry first"],
    ["abort twice", aborted, "abort", "already aborted"],
    ["retry aborted", aborted, "retry", undefined],
    ["retry not aborted", base(), "retry", "not aborted"],
    ["pause twice", paused, "pause", "already paused"],
    ["resume user pause", paused, "resume", undefined],
    [
      "resume Git pause",
      { ...base(), spec: { ...base().spec, paused: true } },
      "resume",
      "paused in Git (spec.paused): change it there",
    ],
    ["undo with a previous version", base(), "undo", undefined],
    ["restart always", done, "restart", undefined],
  ];
  for (const [name, r, action, want] of cases)
    test(name, () => assert.equal(actionNonsense(r, action, sets), want));

  test("undo with a workloadRef names the Deployment", () => {
    const r = { ...base(), spec: { workloadRef: { name: "d" } } };
    assert.match(actionNonsense(r, "undo", sets) ?? "", /Deployment "d"/);
  });

  test("the apiserver's denial wins over state; an allowed action that makes no sense is disabled with why", () => {
    const permissions = Object.fromEntries(
      DASHBOARD_ACTIONS.map((a): [DashboardAction, Permission] => [
        a,
        a === "abort"
          ? { allowed: false, reason: "needs RBAC: patch rollouts.ramp.dev/status in namespace ns" }
          : { allowed: true },
      ]),
    ) as Record<DashboardAction, Permission>;
    const d = rolloutDetail({
      rollout: base(),
      replicaSets: [rs("h1", 1, "a"), rs("h2", 2, "b")],
      pods: [],
      analysisRuns: [],
      events: [{ type: "Normal", reason: "StepStarted", message: "m", count: 2, lastTimestamp: "t" }],
      routers: [],
      permissions,
    });
    assert.deepEqual(d.actions.abort, {
      allowed: false,
      reason: "needs RBAC: patch rollouts.ramp.dev/status in namespace ns",
    });
    assert.deepEqual(d.actions.retry, { allowed: false, reason: "not aborted" });
    assert.deepEqual(d.actions.promote, { allowed: true });
    assert.deepEqual(d.events, [
      { type: "Normal", reason: "StepStarted", message: "m", count: 2, lastSeen: "t" },
    ]);
  });
});
