import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rolloutAsksToAct } from "../../../src/controller/caches.ts";

const rollout = (generation: number, status: Record<string, unknown> = {}) => ({
  metadata: { name: "web", namespace: "shop", generation },
  status,
});

describe("which Rollout updates are urgent", () => {
  test("a new Rollout is", () => {
    assert.equal(rolloutAsksToAct(undefined, rollout(1)), true);
  });
  test("a new spec (generation) is", () => {
    assert.equal(rolloutAsksToAct(rollout(1), rollout(2)), true);
  });
  test("a user's request in status.intent is, and so is its removal", () => {
    assert.equal(rolloutAsksToAct(rollout(2), rollout(2, { intent: { promote: true } })), true);
    assert.equal(rolloutAsksToAct(rollout(2, { intent: { promote: true } }), rollout(2)), true);
  });
  test("the echo of the controller's own status write is not", () => {
    const before = rollout(2, { phase: "Progressing", readyReplicas: 1, intent: { promote: true } });
    const after = rollout(2, { phase: "Paused", readyReplicas: 2, intent: { promote: true } });
    assert.equal(rolloutAsksToAct(before, after), false);
  });
});
