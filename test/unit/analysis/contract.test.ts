// The provider contract's messages (docs/provider-contract.md): the request ramp sends, Secret args left
// out, and how each kind of answer is read.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CONTRACT_V1, measurementRequest, readResult } from "../../../src/analysis/providers/contract.ts";
import type { MeasureContext } from "../../../src/analysis/providers/provider.ts";

const ctx = (over: Partial<MeasureContext> = {}): MeasureContext => ({
  metric: { name: "error-rate", provider: { web: { url: "http://x", contract: CONTRACT_V1 } } },
  metricIndex: 0,
  args: { "canary-hash": "abc", team: "payments", token: "s3cret" },
  secretArgs: { token: { name: "creds", key: "token" } },
  namespace: "shop",
  runName: "web-abc-s1",
  runUid: "uid-1",
  rollout: "web",
  index: 2,
  secret: async () => "",
  ...over,
});

describe("provider contract v1", () => {
  test("the request: metric, run, Rollout, the args but those from Secrets, the measurement's index", () => {
    assert.deepEqual(measurementRequest(ctx()), {
      apiVersion: "metrics.ramp.dev/v1",
      kind: "MeasurementRequest",
      metric: "error-rate",
      analysisRun: { namespace: "shop", name: "web-abc-s1", uid: "uid-1" },
      rollout: "web",
      args: { "canary-hash": "abc", team: "payments" },
      measurement: { index: 2 },
    });
    assert.ok(!JSON.stringify(measurementRequest(ctx())).includes("s3cret"));
    const { rollout: _, ...alone } = ctx();
    assert.equal(measurementRequest(alone).rollout, "");
  });

  const result = (body: object) => ({ apiVersion: CONTRACT_V1, kind: "MeasurementResult", ...body });
  test("the answer: a number or numbers is the value; null, [] or none is no data; error is an Error", () => {
    assert.deepEqual(readResult(result({ value: 0.5 }), "svc"), { kind: "value", value: 0.5 });
    assert.deepEqual(readResult(result({ value: [1, 2] }), "svc"), { kind: "value", value: [1, 2] });
    assert.deepEqual(readResult(result({ value: null }), "svc"), { kind: "value", value: [] });
    assert.deepEqual(readResult(result({}), "svc"), { kind: "value", value: [] });
    assert.deepEqual(readResult(result({ value: [] }), "svc"), { kind: "value", value: [] });
    assert.throws(() => readResult(result({ error: "backend down" }), "svc"), /^Error: svc: backend down$/);
  });

  test("anything else is an Error saying what came and what ramp speaks", () => {
    assert.throws(
      () => readResult({ apiVersion: "v0", value: 1 }, "svc"),
      /svc answered apiVersion "v0" kind undefined; ramp speaks apiVersion "metrics.ramp.dev\/v1", kind "MeasurementResult"/,
    );
    assert.throws(
      () => readResult(result({ value: "0.5" }), "svc"),
      /the contract's value is a number or a list of numbers/,
    );
    assert.throws(() => readResult([1], "svc"), /not a MeasurementResult object/);
  });
});
