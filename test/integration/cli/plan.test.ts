// `kubectl ramp plan NAME` on the real control plane: what it says the controller will write is what the
// controller then writes; a steady Rollout plans no write; a Rollout the controller would mark Degraded
// exits 1 with the reason; at an analysis step, each Prometheus query is asked of the real Prometheus now.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import { kubectl } from "../../../dev/kube.ts";
import type { DryRun } from "../../../src/cli/inspect/dry-run.ts";
import type { PlanView } from "../../../src/cli/inspect/plan-view.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { kubectlRamp } from "../../support/plugin.ts";

type Live = { ok: true; plan: PlanView; analysis: DryRun[] } | { ok: false; reason: string; message: string };

describe("kubectl ramp plan NAME (live)", () => {
  let f: Fixture;
  let env: AnalysisEnv;
  const plan = async (...args: string[]) => {
    const res = await kubectlRamp(["plan", "-n", f.namespace, ...args]);
    return {
      ...res,
      json: (res.stdout.startsWith("{") ? JSON.parse(res.stdout) : undefined) as Live | undefined,
    };
  };

  before(async () => {
    env = await startAnalysisEnv({ stable: { rate: 50, errors: 0 }, good: { rate: 50, errors: 0.01 } });
    f = await Fixture.create("cli-plan");
  });
  after(async () => {
    await f?.cleanup();
    await env?.stop();
  });

  test("a workloadRef Rollout, before any controller: the plan runs the Deployment's template; a missing Deployment exits 1 with WorkloadNotFound", async () => {
    await f.applyFixture("workload/deployment.yaml", { NAME: "wl", DEPLOY_REPLICAS: "2", IMAGE: "app:7" });
    await f.applyFixture("workload/rollout.yaml", {
      NAME: "wl",
      DEPLOYMENT: "wl",
      SCALE_DOWN: "onsuccess",
      REPLICAS: "2",
      PAUSE: "{}",
    });
    const res = await plan("wl", "-o", "json");
    assert.equal(res.code, 0, res.stderr);
    assert.ok(res.json?.ok);
    const create = res.json.plan.writes.find((w) => w.object.startsWith("ReplicaSet"));
    assert.match(create?.change ?? "", /^create with 2 replicas$/);
    const conditions = res.json.plan.status.conditions as { type: string; status: string }[];
    assert.ok(conditions.some((c) => c.type === "AutoscalerConflict" && c.status === "False"));

    await f.applyFixture("workload/rollout.yaml", {
      NAME: "wlmissing",
      DEPLOYMENT: "nowhere",
      SCALE_DOWN: "never",
      REPLICAS: "1",
      PAUSE: "{}",
    });
    const missing = await plan("wlmissing");
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /Degraded: WorkloadNotFound: spec\.workloadRef: Deployment "nowhere" does not exist/,
    );
  });

  test("before any controller: the plan is the first deploy, and the controller then writes exactly that", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "first",
      IMAGE: "app:1",
      PAUSE1: "3s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    const res = await plan("first", "-o", "json");
    assert.equal(res.code, 0, res.stderr);
    assert.ok(res.json?.ok);
    const writes = res.json.plan.writes.map((w) => `${w.object}: ${w.change}`);
    const hash = /selector → version (\S+)/.exec(writes[0] ?? "")?.[1] ?? "";
    assert.deepEqual(writes, [
      `Service "first-stable": selector → version ${hash}`,
      `Service "first-canary": selector → version ${hash}`,
      `ReplicaSet "first-${hash}": create with 5 replicas`,
    ]);
    assert.equal(res.json.plan.status.stableRS, hash);
    const text = await plan("first");
    assert.match(
      text.stdout,
      /^Rollout .+\/first: Progressing\n {2}scaling version \S+ to 5 \(0 available\)\n\nWrites, in the order the controller makes them:\n {2}1\. Service "first-stable": selector → version/,
    );

    await f.startController();
    const s = await f.waitHealthy("first");
    assert.equal(s.stableRS, hash, "the controller created the version the plan named");
    assert.deepEqual(await f.replicaSets("first"), { [`first-${hash}`]: 5 });
    const steady = await plan("first", "-o", "json");
    assert.ok(steady.json?.ok);
    assert.deepEqual(steady.json.plan.writes, [], "a steady Rollout plans no write");
    assert.equal(steady.json.plan.message, `version ${hash} is stable: 5/5 available`);
  });

  test("a Rollout the controller would mark Degraded: exit 1 with the code and the fix", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "nosvc",
      IMAGE: "app:1",
      PAUSE1: "3s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    const del = await kubectl(["delete", "service", "nosvc-canary", "-n", f.namespace]);
    assert.equal(del.code, 0, del.stderr);
    const res = await plan("nosvc");
    assert.equal(res.code, 1);
    assert.match(res.stderr, /the controller would mark it Degraded: ServiceNotFound: .*"nosvc-canary"/);
  });

  test("at an analysis step: each query asked of the live Prometheus, with today's value and verdict", async () => {
    const query = `sum(rate(http_requests_total{version="{{args.version}}",code=~"5.."}[5s])) / sum(rate(http_requests_total{version="{{args.version}}"}[5s]))`;
    await f.applyFixture("analysis/step.yaml", {
      NAME: "probe",
      METRIC: "error-rate",
      COUNT: "600",
      CONDITION: 'failureCondition: "result[0] > 0.05"',
      PROVIDER: `prometheus: {address: "${env.prometheus.url}", timeout: 2s, query: '${query}'}`,
      VERSION: "good",
    });
    await f.waitHealthy("probe");
    await f.setImage("probe", "app:2");
    await f.waitStatus(
      "probe",
      "in its analysis step",
      (s) => s.currentStepIndex === 1 && Boolean(s.canary?.currentStepAnalysisRun),
    );
    const res = await plan("probe", "-o", "json");
    assert.equal(res.code, 0, res.stderr);
    assert.ok(res.json?.ok);
    const [row] = res.json.analysis;
    assert.equal(res.json.analysis.length, 1);
    assert.equal(row?.metric, "error-rate");
    assert.equal(row?.verdict, "Successful", row?.message);
    assert.ok(Math.abs(Number(row?.value) - 0.01) < 0.005, row?.value);
    const text = await plan("probe");
    assert.match(
      text.stdout,
      /Analysis now \(a dry run of each query against the live Prometheus\):\n {2}probe-\S+ error-rate: value 0\.0\d+ → Successful/,
    );
  });
});
