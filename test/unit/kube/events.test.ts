import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiException } from "@kubernetes/client-node";
import { EventRecorder, maxMessageBytes, truncateUtf8 } from "../../../src/kube/events.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";

type Call = { method: string; path: string; body: unknown; contentType: string | undefined };

/** A recorder whose requests go to a list; `reply` decides what each request gets back. */
function harness(
  reply: (call: Call) => unknown = () => ({}),
  limits: { maxInFlight?: number; maxQueued?: number } = {},
) {
  const calls: Call[] = [];
  let now = Date.parse("2026-01-01T00:00:00Z");
  const metrics = createMetrics({ defaultMetrics: false });
  const recorder = new EventRecorder({
    identity: "ramp-0",
    metrics,
    ...limits,
    now: () => now,
    clients: {
      request: async <T>(method: string, path: string, body?: unknown, contentType?: string) => {
        const call = { method, path, body, contentType };
        calls.push(call);
        return reply(call) as T;
      },
    },
  });
  const rollout = {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: "shop", uid: "u-1", resourceVersion: "7" },
  };
  const tick = (ms: number) => {
    now += ms;
  };
  return { calls, recorder, rollout, metrics, tick };
}

describe("EventRecorder", () => {
  test("creates an Event with the object reference, source and counts", async () => {
    const h = harness();
    await h.recorder.normal(h.rollout, "StepStarted", "step 2 started");
    assert.equal(h.calls.length, 1);
    const [call] = h.calls;
    assert.equal(call?.method, "POST");
    assert.equal(call?.path, "/api/v1/namespaces/shop/events");
    assert.deepEqual(
      { ...(call?.body as Record<string, unknown>), metadata: undefined },
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: undefined,
        involvedObject: {
          apiVersion: "ramp.dev/v1alpha1",
          kind: "Rollout",
          name: "web",
          namespace: "shop",
          uid: "u-1",
          resourceVersion: "7",
        },
        type: "Normal",
        reason: "StepStarted",
        message: "step 2 started",
        source: { component: "ramp-controller" },
        reportingComponent: "ramp-controller",
        reportingInstance: "ramp-0",
        firstTimestamp: "2026-01-01T00:00:00Z",
        lastTimestamp: "2026-01-01T00:00:00Z",
        count: 1,
      },
    );
  });

  test("aggregates repeats within ten minutes and creates anew after", async () => {
    const h = harness();
    await h.recorder.warning(h.rollout, "AnalysisFailed", "error rate 5%");
    h.tick(60_000);
    await h.recorder.warning(h.rollout, "AnalysisFailed", "error rate 5%");
    const name = (h.calls[0]?.body as { metadata: { name: string } } | undefined)?.metadata.name;
    assert.equal(h.calls[1]?.method, "PATCH");
    assert.equal(h.calls[1]?.path, `/api/v1/namespaces/shop/events/${name}`);
    assert.equal(h.calls[1]?.contentType, "application/merge-patch+json");
    assert.deepEqual(h.calls[1]?.body, { count: 2, lastTimestamp: "2026-01-01T00:01:00Z" });

    await h.recorder.warning(h.rollout, "AnalysisFailed", "error rate 7%");
    assert.equal(h.calls[2]?.method, "POST", "another message is another Event");

    h.tick(10 * 60_000);
    await h.recorder.warning(h.rollout, "AnalysisFailed", "error rate 5%");
    assert.equal(h.calls[3]?.method, "POST", "outside the window a new Event starts");
  });

  test("repeats fired together still aggregate", async () => {
    const h = harness();
    await Promise.all([1, 2, 3].map(() => h.recorder.normal(h.rollout, "Promoted", "promoted")));
    assert.deepEqual(
      h.calls.map((c) => c.method),
      ["POST", "PATCH", "PATCH"],
    );
    assert.deepEqual(h.calls[2]?.body, { count: 3, lastTimestamp: "2026-01-01T00:00:00Z" });
  });

  test("creates a new Event when the aggregated one expired", async () => {
    const h = harness((call) => {
      if (call.method === "PATCH") throw new ApiException(404, "not found", {}, {});
      return {};
    });
    await h.recorder.normal(h.rollout, "Promoted", "promoted");
    await h.recorder.normal(h.rollout, "Promoted", "promoted");
    assert.deepEqual(
      h.calls.map((c) => c.method),
      ["POST", "PATCH", "POST"],
    );
  });

  test("never throws; counts the failure", async () => {
    const h = harness(() => {
      throw new Error("apiserver down");
    });
    await h.recorder.warning(h.rollout, "ApiError", "boom");
    const failed = await h.metrics.kube.eventWriteFailures.get();
    assert.equal(failed.values[0]?.value, 1);
    assert.deepEqual(failed.values[0]?.labels, { reason: "ApiError" });
  });

  test("a burst goes out a few at a time; flush waits for all of it", async () => {
    let open = 0;
    let most = 0;
    const h = harness(
      async () => {
        open++;
        most = Math.max(most, open);
        await new Promise((r) => setTimeout(r, 5));
        open--;
        return {};
      },
      { maxInFlight: 3 },
    );
    for (let i = 0; i < 20; i++)
      void h.recorder.normal({ ...h.rollout, metadata: { name: `r${i}` } }, "X", "m");
    assert.equal(h.recorder.backlog, 20);
    await h.recorder.flush(5_000);
    assert.equal(h.calls.length, 20);
    assert.equal(most, 3, "never more than maxInFlight writes at once");
    assert.equal(h.recorder.backlog, 0);
  });

  test("beyond maxQueued an Event is dropped and counted, never queued without bound", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const h = harness(() => gate.then(() => ({})), { maxInFlight: 1, maxQueued: 5 });
    const all = Array.from({ length: 8 }, (_, i) =>
      h.recorder.normal({ ...h.rollout, metadata: { name: `r${i}` } }, "StepStarted", "m"),
    );
    assert.equal(h.recorder.backlog, 5);
    release();
    await Promise.all(all);
    assert.equal(h.calls.length, 5);
    const dropped = await h.metrics.kube.eventsDropped.get();
    assert.deepEqual(dropped.values[0], { value: 3, labels: { reason: "StepStarted" } });
  });

  test("flush gives up after its timeout", async () => {
    const h = harness(() => new Promise(() => {}));
    void h.recorder.normal(h.rollout, "X", "m");
    const started = Date.now();
    await h.recorder.flush(50);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(h.recorder.backlog, 1);
  });

  test("truncates messages to 1 KiB of UTF-8 without splitting a character", async () => {
    const h = harness();
    await h.recorder.normal(h.rollout, "Long", "é".repeat(2000));
    const message = (h.calls[0]?.body as { message: string } | undefined)?.message ?? "";
    assert.ok(Buffer.byteLength(message) <= maxMessageBytes);
    assert.ok(message.endsWith("é…"));
    assert.equal(truncateUtf8("short", 10), "short");
    assert.equal(truncateUtf8("abcdefghij", 6), "abc…");
  });
});
