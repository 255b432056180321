import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ConditionEvaluator } from "../../../src/analysis/conditions.ts";

// The thread's port is what getActiveResourcesInfo lists while it runs.
const ports = () => process.getActiveResourcesInfo().filter((r) => r === "MessagePort").length;

// The thread is ~15 MiB resident: a controller whose analyses are over gives it back, and starts it again.
test("the condition thread ends after idleStopMs without an evaluation, and the next one starts it again", async () => {
  const evaluator = new ConditionEvaluator({ timeoutMs: 5000, idleStopMs: 200 });
  try {
    const before = ports();
    assert.equal(await evaluator.evaluate("result > 1", 2), true);
    assert.equal(ports(), before + 1, "the thread runs");
    await sleep(600);
    assert.equal(ports(), before, "the thread ended");
    assert.equal(await evaluator.evaluate("result > 1", 0), false, "a fresh thread answers");
  } finally {
    await evaluator.close();
  }
});
