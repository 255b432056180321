import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BlueGreenEnv, BlueGreenEvent } from "../../../../src/strategy/bluegreen/machine.ts";
import {
  type BlueGreenSnapshot,
  blueGreenState,
  dehydrateBlueGreen,
  driveBlueGreen,
  hydrateBlueGreen,
  startBlueGreen,
} from "../../../../src/strategy/bluegreen/persist.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const env = (e: Partial<BlueGreenEnv> & { at?: number } = {}): BlueGreenEnv => ({
  now: T0 + (e.at ?? 0) * 1000,
  specPaused: false,
  autoPromotionEnabled: true,
  autoPromotionSeconds: 0,
  hasPrePromotion: false,
  hasPostPromotion: false,
  previewReady: false,
  fullyReady: false,
  ...e,
});
const tick = (s: BlueGreenSnapshot, e: Partial<BlueGreenEnv> & { at?: number } = {}) =>
  driveBlueGreen(s, [], env(e)).snapshot;
const send = (
  s: BlueGreenSnapshot,
  ev: Omit<BlueGreenEvent, "env">,
  e: Partial<BlueGreenEnv> & { at?: number } = {},
) => driveBlueGreen(s, [{ ...ev, env: env(e) } as BlueGreenEvent], env(e)).snapshot;
const state = (s: BlueGreenSnapshot) => blueGreenState(s);

describe("blue-green machine", () => {
  test("waits for the preview, then (auto-promotion) scales up, and switches only when fully ready", () => {
    let s = tick(startBlueGreen("v2"));
    assert.equal(state(s), "Preview");
    s = tick(s, { previewReady: true });
    assert.equal(state(s), "ScalingUp");
    s = tick(s, { previewReady: true });
    assert.equal(state(s), "ScalingUp", "not switched before every pod is available");
    s = tick(s, { previewReady: true, fullyReady: true, at: 5 });
    assert.equal(state(s), "Completed");
    assert.equal(s.context.switchedAt, new Date(T0 + 5000).toISOString());
  });
  test("autoPromotionSeconds counts from when the preview became available", () => {
    let s = tick(startBlueGreen("v2"), { previewReady: true, autoPromotionSeconds: 30, at: 10 });
    assert.equal(state(s), "Gate");
    s = tick(s, { previewReady: true, autoPromotionSeconds: 30, at: 39.9 });
    assert.equal(state(s), "Gate");
    s = tick(s, { previewReady: true, autoPromotionSeconds: 30, at: 40 });
    assert.equal(state(s), "ScalingUp");
  });
  test("autoPromotionEnabled: false pauses until promote", () => {
    let s = tick(startBlueGreen("v2"), { previewReady: true, autoPromotionEnabled: false });
    assert.equal(state(s), "Paused");
    s = tick(s, { previewReady: true, autoPromotionEnabled: false, at: 3600 });
    assert.equal(state(s), "Paused");
    s = send(s, { type: "PROMOTE" }, { previewReady: true, autoPromotionEnabled: false });
    assert.equal(state(s), "ScalingUp");
  });
  test("pre-promotion analysis gates the switch; its failure aborts before anything moved", () => {
    const pre = { previewReady: true, hasPrePromotion: true };
    let s = tick(startBlueGreen("v2"), pre);
    assert.equal(state(s), "PrePromotion");
    s = tick(s, { ...pre, pre: "Running" });
    assert.equal(state(s), "PrePromotion");
    const ok = tick(s, { ...pre, pre: "Successful" });
    assert.equal(state(ok), "ScalingUp");
    const bad = tick(s, { ...pre, pre: "Failed", analysisMessage: "metric m: value 9 met failureCondition" });
    assert.equal(state(bad), "Aborted");
    assert.equal(bad.context.switchedAt, undefined);
    assert.match(bad.context.abort?.message ?? "", /metric m: value 9/);
  });
  test("post-promotion failure aborts after the switch (the reconcile switches back)", () => {
    const post = { previewReady: true, fullyReady: true, hasPostPromotion: true };
    let s = tick(startBlueGreen("v2"), post);
    assert.equal(state(s), "PostPromotion");
    s = tick(s, { ...post, post: "Error" });
    assert.equal(state(s), "Aborted");
    assert.equal(s.context.abort?.reason, "AnalysisError");
    assert.ok(s.context.switchedAt, "it had switched");
  });
  test("promote --full skips both analyses", () => {
    const both = { previewReady: true, fullyReady: true, hasPrePromotion: true, hasPostPromotion: true };
    const s = send(startBlueGreen("v2"), { type: "PROMOTE_FULL" }, both);
    assert.equal(state(s), "Completed");
  });
  test("abort, then retry previews again", () => {
    let s = send(startBlueGreen("v2"), { type: "ABORT", reason: "AbortedByUser", message: "by me" } as Omit<
      BlueGreenEvent,
      "env"
    >);
    assert.equal(state(s), "Aborted");
    s = send(s, { type: "RETRY" });
    assert.equal(state(s), "Preview");
    assert.equal(s.context.attempt, 1);
  });
  test("a user pause holds auto-promotion; resume releases it", () => {
    let s = send(startBlueGreen("v2"), { type: "PAUSE" }, { previewReady: true });
    assert.equal(state(s), "Preview");
    s = send(s, { type: "RESUME" }, { previewReady: true });
    assert.equal(state(s), "ScalingUp");
  });
  test("persists and resumes", () => {
    const s = tick(startBlueGreen("v2"), { previewReady: true, autoPromotionSeconds: 30 });
    const back = hydrateBlueGreen(JSON.parse(JSON.stringify(dehydrateBlueGreen(s))));
    assert.ok(back);
    assert.equal(state(tick(back, { previewReady: true, autoPromotionSeconds: 30, at: 31 })), "ScalingUp");
    assert.equal(hydrateBlueGreen({ ...dehydrateBlueGreen(s), version: "canary/v1" }), undefined);
  });
});
