import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type HandlerResult, WorkQueue, type WorkQueueOptions } from "../../../src/kube/workqueue.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";
import { FakeClock, gate, settle, until } from "./fakes.ts";

/** A queue on a fake clock whose handler records calls and can be held per key. */
function harness(opts: Partial<WorkQueueOptions> & { fail?: (key: string, call: number) => boolean } = {}) {
  const clock = new FakeClock();
  const calls: string[] = [];
  const gates = new Map<string, ReturnType<typeof gate>>();
  const results = new Map<string, HandlerResult>();
  const running = new Map<string, number>();
  let concurrent = 0;
  let maxConcurrent = 0;
  let maxPerKey = 0;
  const metrics = createMetrics({ defaultMetrics: false });
  const queue = new WorkQueue({
    name: "test",
    clock,
    metrics,
    random: () => 1,
    handler: async (key) => {
      calls.push(key);
      const call = calls.filter((k) => k === key).length;
      running.set(key, (running.get(key) ?? 0) + 1);
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      maxPerKey = Math.max(maxPerKey, running.get(key) ?? 0);
      try {
        await gates.get(key)?.promise;
        if (opts.fail?.(key, call)) throw new Error(`${key} failed on call ${call}`);
        return results.get(key);
      } finally {
        concurrent--;
        running.set(key, (running.get(key) ?? 1) - 1);
      }
    },
    ...opts,
  });
  const hold = (key: string) => {
    const g = gate();
    gates.set(key, g);
    return () => {
      gates.delete(key);
      g.open();
    };
  };
  // Keeps the only worker busy, so what is added next waits in the lanes; returns the release.
  const occupy = async () => {
    const release = hold("blocker");
    queue.add("blocker");
    await until(() => calls.includes("blocker"), "blocker starts");
    return release;
  };
  return {
    clock,
    queue,
    calls,
    hold,
    occupy,
    results,
    metrics,
    stats: () => ({ concurrent, maxConcurrent, maxPerKey }),
  };
}

describe("WorkQueue", () => {
  test("coalesces a key added many times while it waits into one run", async () => {
    const h = harness();
    const release = await h.occupy();
    for (let i = 0; i < 5; i++) h.queue.add("ns/a");
    assert.equal(h.queue.length, 1);
    release();
    await until(() => h.calls.length === 2, "ns/a runs");
    await settle();
    assert.deepEqual(h.calls, ["blocker", "ns/a"]);
  });

  test("never runs one key twice at once, and runs it again when it was added while running", async () => {
    const h = harness({ workers: 4 });
    const release = h.hold("ns/a");
    h.queue.add("ns/a");
    await until(() => h.calls.length === 1, "first run starts");
    h.queue.add("ns/a");
    h.queue.add("ns/a");
    await settle();
    assert.equal(h.calls.length, 1, "a second run must wait for the first");
    release();
    await until(() => h.calls.length === 2, "second run");
    await settle();
    assert.deepEqual(h.calls, ["ns/a", "ns/a"]);
    assert.equal(h.stats().maxPerKey, 1);
  });

  test("runs at most `workers` keys at the same time", async () => {
    const h = harness({ workers: 2 });
    const releases = ["a", "b", "c"].map((k) => h.hold(k));
    for (const k of ["a", "b", "c"]) h.queue.add(k);
    await until(() => h.calls.length === 2, "two keys start");
    await settle();
    assert.deepEqual(h.calls, ["a", "b"], "the third key waits for a free worker");
    releases[0]?.();
    await until(() => h.calls.length === 3, "c starts after a finishes");
    releases[1]?.();
    releases[2]?.();
    await settle();
    assert.equal(h.stats().maxConcurrent, 2);
  });

  test("retries a failing key with growing backoff and resets it after a success", async () => {
    // Fails on calls 1, 2 and 4; random() = 1 makes each delay its ceiling: 100, 200, then 100 again.
    const h = harness({ fail: (_key, call) => call !== 3 && call <= 4 });
    h.queue.add("ns/a");
    await until(() => h.calls.length === 1, "first run");
    await settle();
    assert.deepEqual(h.clock.pending(), [100]);
    assert.equal(h.queue.failures("ns/a"), 1);

    await h.clock.advance(99);
    assert.equal(h.calls.length, 1, "not retried before its delay");
    await h.clock.advance(1);
    assert.equal(h.calls.length, 2);
    assert.deepEqual(h.clock.pending(), [200]);

    await h.clock.advance(200);
    assert.equal(h.calls.length, 3, "third call succeeds");
    assert.deepEqual(h.clock.pending(), []);
    assert.equal(h.queue.failures("ns/a"), 0);

    h.queue.add("ns/a");
    await until(() => h.calls.length === 4, "fourth run");
    await settle();
    assert.deepEqual(h.clock.pending(), [100], "backoff starts over after a success");
    await h.clock.advance(100);
    assert.equal(h.calls.length, 5);

    const retries = await h.metrics.workqueue.retries.get();
    assert.equal(retries.values[0]?.value, 3);
  });

  test("caps the retry delay at backoff.maxMs", async () => {
    const h = harness({ backoff: { baseMs: 100, maxMs: 300 }, fail: () => true });
    h.queue.add("k");
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      await until(() => h.calls.length === i + 1, `run ${i + 1}`);
      await settle();
      const [delay] = h.clock.pending();
      assert.ok(delay !== undefined);
      seen.push(delay);
      await h.clock.advance(delay);
    }
    assert.deepEqual(seen, [100, 200, 300, 300]);
  });

  test("addAfter keeps the earliest deadline", async () => {
    const h = harness();
    h.queue.addAfter("k", 1000);
    h.queue.addAfter("k", 500);
    h.queue.addAfter("k", 800);
    assert.deepEqual(h.clock.pending(), [500]);
    await h.clock.advance(499);
    assert.equal(h.calls.length, 0);
    await h.clock.advance(1);
    assert.deepEqual(h.calls, ["k"]);
    await h.clock.advance(2000);
    assert.deepEqual(h.calls, ["k"], "the later deadlines were dropped");
  });

  test("a plain add makes a delayed key immediate", async () => {
    const h = harness();
    h.queue.addAfter("k", 10_000);
    h.queue.add("k");
    await until(() => h.calls.length === 1, "k runs now");
    assert.deepEqual(h.clock.pending(), []);
    await h.clock.advance(10_000);
    assert.deepEqual(h.calls, ["k"]);
  });

  test("a handler's requeueAfterMs runs the key again after that delay", async () => {
    const h = harness();
    h.results.set("k", { requeueAfterMs: 5000 });
    h.queue.add("k");
    await until(() => h.calls.length === 1, "first run");
    h.results.delete("k");
    await settle();
    assert.deepEqual(h.clock.pending(), [5000]);
    await h.clock.advance(5000);
    assert.deepEqual(h.calls, ["k", "k"]);
    assert.deepEqual(h.clock.pending(), []);
  });

  test("a handler that requeues at once without I/O cannot starve timers and watches", async () => {
    let runs = 0;
    const queue = new WorkQueue({
      name: "spin",
      handler: () => (runs++ < 100_000 ? { requeueAfterMs: 0 } : undefined),
    });
    queue.add("k");
    // With runs chained as microtasks this timer would only fire after all 100,000 of them.
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.ok(runs < 100_000, `a timer fired while the key kept requeueing (after ${runs} runs)`);
    await queue.shutdown();
  });

  test("shutdown waits for running handlers and starts nothing new", async () => {
    const h = harness();
    const release = h.hold("a");
    h.queue.add("a");
    await until(() => h.calls.length === 1, "a starts");
    h.queue.add("b");
    h.queue.addAfter("c", 100);
    let done = false;
    const stopped = h.queue.shutdown().then(() => {
      done = true;
    });
    await settle();
    assert.equal(done, false, "a is still running");
    h.queue.add("d");
    release();
    await stopped;
    await h.clock.advance(1000);
    assert.deepEqual(h.calls, ["a"], "b, c and d never run");
    assert.equal(h.queue.length, 0);
  });

  test("reports depth, queue time and work time", async () => {
    const h = harness();
    const release = h.hold("a");
    h.queue.add("a");
    h.queue.add("b");
    h.queue.add("c");
    await until(() => h.calls.length === 1, "a starts");
    const depth = await h.metrics.workqueue.depth.get();
    assert.equal(depth.values[0]?.value, 2);
    release();
    await until(() => h.calls.length === 3, "all ran");
    await settle();
    const work = await h.metrics.workqueue.workDuration.get();
    const count = work.values.find((v) => v.metricName === "ramp_workqueue_work_duration_seconds_count");
    assert.equal(count?.value, 3);
    const queued = await h.metrics.workqueue.queueDuration.get();
    const qcount = queued.values.find((v) => v.metricName === "ramp_workqueue_queue_duration_seconds_count");
    assert.equal(qcount?.value, 3);
    assert.equal((await h.metrics.workqueue.depth.get()).values[0]?.value, 0);
  });

  test("a handler that hangs shows in unfinished_work_seconds (sum) and longest_running_processor_seconds (max) while it runs", async () => {
    const h = harness({ workers: 2 });
    const series = async () => {
      const text = await h.metrics.registry.metrics();
      const value = (metric: string) =>
        Number(new RegExp(`^${metric}\\{name="test"\\} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
      return {
        unfinished: value("ramp_workqueue_unfinished_work_seconds"),
        longest: value("ramp_workqueue_longest_running_processor_seconds"),
      };
    };
    assert.deepEqual(await series(), { unfinished: 0, longest: 0 }, "nothing runs yet");
    const releaseA = h.hold("a");
    h.queue.add("a");
    await until(() => h.calls.includes("a"), "a starts");
    await h.clock.advance(30_000);
    const releaseB = h.hold("b");
    h.queue.add("b");
    await until(() => h.calls.includes("b"), "b starts");
    await h.clock.advance(10_000);
    assert.deepEqual(await series(), { unfinished: 50, longest: 40 }, "a for 40 s, b for 10 s");
    releaseA();
    await until(() => h.stats().concurrent === 1, "a ends");
    await settle();
    assert.deepEqual(await series(), { unfinished: 10, longest: 10 }, "only b left");
    releaseB();
    await until(() => h.stats().concurrent === 0, "b ends");
    await settle();
    assert.deepEqual(await series(), { unfinished: 0, longest: 0 }, "observed by work_duration now");
  });

  test("urgent keys run before ordinary ones, each lane in arrival order", async () => {
    const h = harness();
    const release = await h.occupy();
    h.queue.add("echo-1");
    h.queue.add("spec-1", { urgent: true });
    h.queue.add("echo-2");
    h.queue.add("spec-2", { urgent: true });
    assert.equal(h.queue.length, 4);
    release();
    await until(() => h.calls.length === 5, "all ran");
    assert.deepEqual(h.calls, ["blocker", "spec-1", "spec-2", "echo-1", "echo-2"]);
  });

  test("an ordinary key already waiting turns urgent, once, and still runs once", async () => {
    const h = harness();
    const release = await h.occupy();
    h.queue.add("a");
    h.queue.add("b");
    h.queue.add("b", { urgent: true });
    h.queue.add("b", { urgent: true });
    h.queue.add("b");
    assert.equal(h.queue.length, 2);
    release();
    await until(() => h.calls.length === 3, "all ran");
    await settle();
    assert.deepEqual(h.calls, ["blocker", "b", "a"]);
  });

  test("added urgently while it runs: it runs again ahead of ordinary keys", async () => {
    const h = harness();
    const release = h.hold("a");
    h.queue.add("a");
    await until(() => h.calls.length === 1, "a starts");
    h.queue.add("x");
    h.queue.add("a", { urgent: true });
    release();
    await until(() => h.calls.length === 3, "a again, then x");
    assert.deepEqual(h.calls, ["a", "a", "x"]);
  });

  test("a handler's deadline requeue is urgent; a failure's retry is not", async () => {
    const h = harness({ fail: (key, call) => key === "flaky" && call === 1 });
    h.results.set("timed", { requeueAfterMs: 100 });
    h.queue.add("timed");
    h.queue.add("flaky");
    await until(() => h.calls.length === 2, "both ran once");
    h.results.delete("timed");
    const release = await h.occupy();
    // Retry of flaky is due after 100 ms of backoff (random 1 → the full ceiling); the deadline at 100 ms.
    await h.clock.advance(100);
    h.queue.add("plain");
    release();
    await until(() => h.calls.length === 6, "all ran");
    assert.deepEqual(h.calls.slice(3), ["timed", "flaky", "plain"]);
  });

  test("a handler may ask to run again later without urgency (a flush, not a deadline)", async () => {
    const h = harness();
    h.results.set("flush", { requeueAfterMs: 100, urgent: false });
    h.queue.add("flush");
    await until(() => h.calls.length === 1, "flush ran");
    h.results.delete("flush");
    const release = await h.occupy();
    h.queue.add("plain");
    await h.clock.advance(100);
    h.queue.add("spec", { urgent: true });
    release();
    await until(() => h.calls.length === 5, "all ran");
    assert.deepEqual(h.calls.slice(2), ["spec", "plain", "flush"]);
  });

  test("an ordinary add that cuts an urgent delay short keeps it urgent", async () => {
    const h = harness();
    const release = await h.occupy();
    h.queue.add("plain");
    h.queue.addAfter("deadline", 1_000, { urgent: true });
    h.queue.add("deadline");
    release();
    await until(() => h.calls.length === 3, "all ran");
    assert.deepEqual(h.calls, ["blocker", "deadline", "plain"]);
  });

  test("a stream of urgent keys cannot starve the ordinary lane: it gets every fourth take", async () => {
    const h = harness();
    const release = await h.occupy();
    h.queue.add("o1");
    h.queue.add("o2");
    for (let i = 1; i <= 8; i++) h.queue.add(`u${i}`, { urgent: true });
    release();
    await until(() => h.calls.length === 11, "all ran");
    assert.deepEqual(h.calls.slice(1), ["u1", "u2", "u3", "o1", "u4", "u5", "u6", "o2", "u7", "u8"]);
  });

  test("a deadline promotes a key already waiting in the ordinary lane", async () => {
    const h = harness();
    const release = await h.occupy();
    h.queue.add("a");
    h.queue.add("paused");
    h.queue.addAfter("paused", 100, { urgent: true });
    h.queue.add("u", { urgent: true });
    await h.clock.advance(100);
    release();
    await until(() => h.calls.length === 4, "all ran");
    assert.deepEqual(h.calls.slice(1), ["u", "paused", "a"]);
  });
});
