import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { requeue } from "../../../src/reconcile/reconciler.ts";
import {
  COALESCE_MS,
  countsOnly,
  RIDE_ALONG_MS,
  StatusCoalescer,
} from "../../../src/reconcile/status-coalesce.ts";

describe("countsOnly", () => {
  test("replica counts and the machine's progress clock are counts", () => {
    assert.equal(countsOnly({ replicas: 3, availableReplicas: 2 }), true);
    assert.equal(
      countsOnly({ readyReplicas: 3, machine: { context: { progressAt: "t", progressMark: 1 } } }),
      true,
    );
  });
  test("anything else is a real change", () => {
    assert.equal(countsOnly({ replicas: 3, phase: "Healthy" }), false);
    assert.equal(countsOnly({ machine: { value: "Completed" } }), false);
    assert.equal(countsOnly({ machine: { context: { progressAt: "t", stepIndex: 2 } } }), false);
    assert.equal(countsOnly({ conditions: [] }), false);
    assert.equal(countsOnly({ machine: null }), false);
  });
});

describe("StatusCoalescer", () => {
  const counts = { availableReplicas: 1 };
  test("holds a count-only change for the window, then lets it through", () => {
    const c = new StatusCoalescer();
    assert.equal(c.hold("ns/a", counts, 1000), COALESCE_MS);
    assert.equal(c.hold("ns/a", counts, 1500), COALESCE_MS - 500);
    assert.equal(c.hold("ns/a", counts, 1000 + COALESCE_MS), undefined);
    // Written: the next count-only change waits a whole window again.
    assert.equal(c.hold("ns/a", counts, 5000), COALESCE_MS);
  });
  test("a real change is written at once and ends the hold; so does no change", () => {
    const c = new StatusCoalescer();
    assert.equal(c.hold("ns/a", counts, 0), COALESCE_MS);
    assert.equal(c.hold("ns/a", { phase: "Healthy", ...counts }, 10), undefined);
    assert.equal(c.hold("ns/a", counts, 20), COALESCE_MS);
    assert.equal(c.hold("ns/a", {}, 30), undefined);
    assert.equal(c.hold("ns/a", counts, 40), COALESCE_MS);
  });
  test("a count-only change rides along with a write the reconcile's own deadline brings soon", () => {
    const c = new StatusCoalescer();
    // A pause ends at 6 s: the counts wait for the next step's write, not a write of their own at 3 s.
    assert.equal(c.hold("ns/a", counts, 1000, 6000), 5000);
    // The hold keeps the time it was given; a later, nearer deadline does not move it.
    assert.equal(c.hold("ns/a", counts, 3000, 4000), 3000);
    assert.equal(c.hold("ns/a", counts, 6000, 11_000), undefined);
  });
  test("a deadline nearer than the window, or too far to wait for, keeps the window", () => {
    const c = new StatusCoalescer();
    assert.equal(c.hold("ns/a", counts, 0, 500), COALESCE_MS);
    assert.equal(c.hold("ns/b", counts, 0, RIDE_ALONG_MS + 1), COALESCE_MS);
    assert.equal(c.hold("ns/c", counts, 100, 100 + RIDE_ALONG_MS), RIDE_ALONG_MS);
  });
  test("Rollouts are held apart, and a forgotten one starts over", () => {
    const c = new StatusCoalescer();
    assert.equal(c.hold("ns/a", counts, 0), COALESCE_MS);
    assert.equal(c.hold("ns/b", counts, 1000), COALESCE_MS);
    c.forget("ns/a");
    assert.equal(c.hold("ns/a", counts, 1500), COALESCE_MS);
  });
});

describe("the reconcile's requeue", () => {
  test("a deadline alone is urgent", () =>
    assert.deepEqual(requeue(5000, undefined), { requeueAfterMs: 5000, urgent: true }));
  test("a flush of held counts alone is not", () =>
    assert.deepEqual(requeue(undefined, 2000), { requeueAfterMs: 2000, urgent: false }));
  test("the earlier of both, urgent while a deadline is pending (one time per key in the queue)", () => {
    assert.deepEqual(requeue(5000, 2000), { requeueAfterMs: 2000, urgent: true });
    assert.deepEqual(requeue(1000, 2000), { requeueAfterMs: 1000, urgent: true });
  });
  test("neither: only when something changes", () => assert.equal(requeue(undefined, undefined), undefined));
  test("the time the reconcile's writes took comes off, down to at once", () => {
    assert.deepEqual(requeue(5000, undefined, 300), { requeueAfterMs: 4700, urgent: true });
    assert.deepEqual(requeue(undefined, 2000, 500), { requeueAfterMs: 1500, urgent: false });
    assert.deepEqual(requeue(200, undefined, 450), { requeueAfterMs: 0, urgent: true });
  });
});
