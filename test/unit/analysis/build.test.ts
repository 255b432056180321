import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildRun } from "../../../src/analysis/build.ts";
import type { AnalysisRun, Rollout } from "../../../src/api/index.ts";
import type { RolloutContext } from "../../../src/core/context.ts";
import { type RunView, runsToPrune } from "../../../src/strategy/shared/runs.ts";

const rollout = {
  apiVersion: "ramp.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web", namespace: "shop", uid: "u1", labels: { team: "blue" } },
  spec: {
    replicas: 2,
    selector: {},
    template: { spec: {} },
    strategy: { canary: {} },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  },
} as unknown as Rollout;

const tmpl = (name: string, metrics: string[], args: object[] = []) => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name },
  spec: {
    args,
    metrics: metrics.map((m) => ({
      name: m,
      successCondition: "true",
      provider: { prometheus: { address: "http://p", query: "up" } },
    })),
  },
});
const templates: Record<string, unknown> = {
  "ns/a": tmpl(
    "a",
    ["errors"],
    [{ name: "svc" }, { name: "team" }, { name: "token" }, { name: "window", value: "5m" }],
  ),
  "ns/b": tmpl("b", ["latency"]),
  "ns/dup": tmpl("dup", ["errors"]),
  "cluster/shared": tmpl("shared", ["saturation"]),
};
const lookup = (name: string, cluster: boolean) => templates[`${cluster ? "cluster" : "ns"}/${name}`];
const build = (refTemplates: { templateName: string; clusterScope?: boolean }[], args: object[] = []) =>
  buildRun({
    rollout,
    ref: { templates: refTemplates, args } as never,
    purpose: { kind: "step", stepIndex: 1 },
    name: "web-x-1",
    canaryHash: "canaryh",
    stableHash: "stableh",
    template: lookup,
  });

describe("buildRun", () => {
  const args = [
    { name: "svc", valueFrom: { podTemplateHashValue: "Latest" } },
    { name: "team", valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
    { name: "token", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
  ];
  test("merges the templates' metrics and resolves every kind of arg; Secret refs stay references", () => {
    const run = build(
      [{ templateName: "a" }, { templateName: "b" }, { templateName: "shared", clusterScope: true }],
      args,
    );
    assert.deepEqual(
      run.spec.metrics.map((m) => m.name),
      ["errors", "latency", "saturation"],
    );
    const byName = Object.fromEntries((run.spec.args ?? []).map((a) => [a.name, a]));
    assert.deepEqual(byName.svc, { name: "svc", value: "canaryh" });
    assert.deepEqual(byName.team, { name: "team", value: "blue" });
    assert.deepEqual(byName.token, { name: "token", valueFrom: { secretKeyRef: { name: "s", key: "k" } } });
    assert.deepEqual(byName.window, { name: "window", value: "5m" }, "a template default");
    assert.equal(byName["rollout-name"]?.value, "web", "built-in");
    assert.equal(byName["stable-hash"]?.value, "stableh", "built-in");
    assert.equal(run.metadata.labels?.["ramp.dev/step-index"], "1");
    assert.equal((run.metadata.ownerReferences as { uid: string }[] | undefined)?.[0]?.uid, "u1");
  });
  test("a metric name in two templates is an error naming both", () =>
    assert.throws(
      () => build([{ templateName: "a" }, { templateName: "dup" }], args),
      /metric "errors" is in both templates "a" and "dup"/,
    ));
  test("an arg without a value is named", () =>
    assert.throws(() => build([{ templateName: "a" }]), /analysis arg "svc" has no value/));
  test("a missing template is named", () =>
    assert.throws(() => build([{ templateName: "nope" }]), /analysis template "nope" does not exist/));
});

describe("runsToPrune", () => {
  test("keeps the newest 5 successful and 5 unsuccessful finished runs; running ones stay", () => {
    const run = (name: string, phase: string, t: number) =>
      ({
        metadata: { name },
        spec: { metrics: [] },
        status: { phase, finishedAt: new Date(t * 1000).toISOString() },
      }) as unknown as AnalysisRun;
    const runs = [
      ...Array.from({ length: 7 }, (_, i) => run(`ok${i}`, "Successful", i)),
      ...Array.from({ length: 6 }, (_, i) => run(`bad${i}`, i % 2 ? "Failed" : "Error", i)),
      {
        metadata: { name: "live" },
        spec: { metrics: [] },
        status: { phase: "Running" },
      } as unknown as AnalysisRun,
    ];
    const ctx = { namespace: "ns", rollout: { spec: {} } } as unknown as RolloutContext;
    const view: RunView = { runs, phase: () => undefined, message: () => undefined };
    assert.deepEqual(runsToPrune(ctx, view).sort(), ["bad0", "ok0", "ok1"]);
  });
});
