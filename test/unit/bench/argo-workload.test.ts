// The peer bench's Argo workload is the ramp bench's, rendered: `kubectl ramp convert` (Argo → ramp) turns
// each Argo object back into exactly the ramp object it was rendered from, with nothing dropped.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseBenchOptions } from "../../../scripts/bench/options.ts";
import {
  ARGO_API,
  argoFailingTemplate,
  argoRollout,
  toArgo,
} from "../../../scripts/bench/peer/argo-workload.ts";
import { failingSteps, failingTemplate, rollout } from "../../../scripts/bench/workload.ts";
import { convertAll } from "../../../src/cli/convert/dispatch.ts";
import { objectSource } from "../../../src/cli/convert/source.ts";

const opts = parseBenchOptions(["--rollouts", "3", "--history", "2"]);
if (opts === "help") throw new Error("unreachable");

const convert = (objs: object[]) => {
  const r = convertAll(
    objs.map((o) => objectSource(o)),
    { inline: false },
  );
  return { objs: r.outputs.map((o) => o.doc.toJS() as unknown), drops: r.drops, notes: r.notes };
};

test("an Argo bench Rollout converts back to the ramp bench Rollout", () => {
  const argo = argoRollout("r00001", opts);
  assert.equal(argo.apiVersion, "argoproj.io/v1alpha1");
  assert.equal(ARGO_API, `/apis/${argo.apiVersion}`);
  const back = convert([argo]);
  assert.deepEqual(back.drops, []);
  assert.deepEqual(back.notes, []);
  assert.deepEqual(back.objs, [rollout("r00001", opts)]);
});

test("the rollback pass's steps (an analysis after the first weight) convert back unchanged", () => {
  const r = rollout("r00002", opts);
  r.spec.strategy.canary.steps = failingSteps(opts.steps) as typeof r.spec.strategy.canary.steps;
  const back = convert([toArgo(r)]);
  assert.deepEqual(back.drops, []);
  assert.deepEqual(back.objs, [r]);
});

test("the always-failing AnalysisTemplate converts back, its expr condition as the CEL ramp runs", () => {
  const url = "http://127.0.0.1:9090";
  const back = convert([argoFailingTemplate(url)]);
  assert.deepEqual(back.drops, []);
  const expected = failingTemplate(url);
  // convert writes the number literal as a double, which CEL compares with the double result.
  const [metric] = expected.spec.metrics;
  assert.ok(metric);
  metric.failureCondition = "result[0] > 0.0";
  assert.deepEqual(back.objs, [expected]);
});

test("toArgo refuses an object that is not ramp's", () => {
  assert.throws(() => toArgo({ apiVersion: "apps/v1", kind: "Deployment" }), /not a ramp.dev object/);
});
