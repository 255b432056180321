import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readDocuments, yamlFilesUnder } from "../../../dev/yaml.ts";
import { AnalysisTemplate, parseDuration, Rollout } from "../../../src/api/index.ts";

describe("examples parse with the zod schemas", () => {
  for (const file of yamlFilesUnder("examples")) {
    test(file.replace(/.*examples\//, "examples/"), () => {
      for (const doc of readDocuments(file)) {
        if (doc.kind === "Rollout") Rollout.parse(doc);
        if (doc.kind === "AnalysisTemplate") AnalysisTemplate.parse(doc);
      }
    });
  }
});

describe("defaults", () => {
  const minimal = {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } },
      strategy: { blueGreen: { activeService: "web" } },
    },
  };
  test("a minimal Rollout gets Argo-compatible defaults", () => {
    const r = Rollout.parse(minimal);
    assert.equal(r.spec.replicas, 1);
    assert.equal(r.spec.revisionHistoryLimit, 10);
    assert.equal(r.spec.progressDeadlineSeconds, 600);
    assert.equal(r.spec.strategy.blueGreen?.autoPromotionEnabled, true);
  });
  test("a pod template is preserved exactly, unknown fields included", () => {
    const spec = {
      containers: [{ name: "a", image: "x", futureField: { deep: [1, 2] } }],
      hostNetwork: true,
    };
    const r = Rollout.parse({
      ...minimal,
      spec: { ...minimal.spec, template: { ...minimal.spec.template, spec } },
    });
    assert.deepEqual(r.spec.template?.spec, spec);
  });
  test("a wrong type is reported with the field's path", () => {
    const bad = { ...minimal, spec: { ...minimal.spec, replicas: "three" } };
    const result = Rollout.safeParse(bad);
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ["spec", "replicas"]);
  });
});

describe("parseDuration", () => {
  const cases: [number | string, number][] = [
    [0, 0],
    [30, 30_000],
    ["45", 45_000],
    ["250ms", 250],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1h0m5s", 3_605_000],
  ];
  for (const [input, ms] of cases)
    test(`${JSON.stringify(input)} → ${ms} ms`, () => assert.equal(parseDuration(input, "f"), ms));
  for (const bad of ["", "10 minutes", "1d", "s", "-5s", "1.5h"]) {
    test(`${JSON.stringify(bad)} is rejected naming the field`, () =>
      assert.throws(() => parseDuration(bad, "steps[0].pause.duration"), /steps\[0\]\.pause\.duration/));
  }
  test("negative seconds are rejected", () => assert.throws(() => parseDuration(-1, "f"), /f: -1/));
});
