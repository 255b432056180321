import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubernetesObject } from "@kubernetes/client-node";
import { Informer, type InformerOptions, objectKey, stripManagedFields } from "../../../src/kube/informer.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";
import { FakeSource, gone } from "./fake-source.ts";
import { until } from "./fakes.ts";

type Cm = KubernetesObject & { data?: Record<string, string> };

/** An informer over a FakeSource that records every event its handlers see. */
function harness(opts: Partial<InformerOptions<Cm>> = {}) {
  const source = new FakeSource();
  const metrics = createMetrics({ defaultMetrics: false });
  const informer = new Informer<Cm>({
    source,
    path: "/api/v1/namespaces/ns/configmaps",
    metrics,
    // No waiting between attempts, so tests never sleep.
    random: () => 0,
    ...opts,
  });
  const seen: string[] = [];
  informer.on("add", (o) => seen.push(`add ${o.metadata?.name}`));
  informer.on("update", (a, b) => seen.push(`update ${a.metadata?.name} ${a.data?.v}->${b.data?.v}`));
  informer.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
  const restarts = async (reason: string) =>
    (await metrics.kube.watchRestarts.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  const cached = async () =>
    (await metrics.registry.getSingleMetric("ramp_kube_cache_objects")?.get())?.values.find(
      (v) => v.labels.resource === "configmaps",
    )?.value;
  return { source, informer, seen, restarts, cached };
}

function cacheView(informer: Informer<Cm>): Record<string, string | undefined> {
  return Object.fromEntries(informer.list().map((o) => [objectKey(o), o.data?.v]));
}

describe("Informer", () => {
  test("lists every page, strips managedFields, adds kind, then resolves start()", async () => {
    const h = harness({ pageSize: 2 });
    for (const name of ["a", "b", "c", "d", "e"]) h.source.put(name, { v: "1" });
    assert.equal(h.informer.hasSynced(), false);
    await h.informer.start();
    assert.equal(h.informer.hasSynced(), true);
    assert.equal(h.source.lists.length, 3);
    assert.deepEqual(h.source.lists[1], { limit: "2", continue: "2" });
    assert.deepEqual(h.seen, ["add a", "add b", "add c", "add d", "add e"]);
    const a = h.informer.get("ns/a");
    assert.equal(a?.kind, "ConfigMap");
    assert.equal(a?.apiVersion, "v1");
    assert.equal(a?.metadata?.managedFields, undefined);
    await until(() => h.source.current !== undefined, "watch opened");
    assert.equal(h.source.current?.query.resourceVersion, h.source.resourceVersion);
    assert.equal(h.source.current?.query.allowWatchBookmarks, "true");
    await h.informer.stop();
  });

  test("ramp_kube_cache_objects counts the cache at each scrape, and not after stop()", async () => {
    const h = harness();
    for (const name of ["a", "b"]) h.source.put(name, { v: "1" });
    await h.informer.start();
    assert.equal(await h.cached(), 2);
    await until(() => h.source.current !== undefined, "watch opened");
    h.source.current?.push({ type: "ADDED", object: h.source.put("c", { v: "1" }) });
    await until(() => h.seen.length === 3, "third add");
    assert.equal(await h.cached(), 3);
    await h.informer.stop();
    assert.equal(await h.cached(), undefined);
  });

  test("delivers watch events as add, update (old and new) and delete", async () => {
    const h = harness();
    await h.informer.start();
    await until(() => h.source.current !== undefined, "watch opened");
    const stream = h.source.current;
    stream?.push({ type: "ADDED", object: h.source.put("a", { v: "1" }) });
    stream?.push({ type: "MODIFIED", object: h.source.put("a", { v: "2" }) });
    const deleted = h.source.remove("a");
    if (deleted) stream?.push({ type: "DELETED", object: deleted });
    await until(() => h.seen.length === 3, "three events");
    assert.deepEqual(h.seen, ["add a", "update a 1->2", "delete a"]);
    assert.equal(h.informer.get("ns/a"), undefined);
    await h.informer.stop();
    assert.equal(stream?.closed, true);
  });

  test("a bookmark moves the resourceVersion the next watch resumes from", async () => {
    const h = harness();
    await h.informer.start();
    await until(() => h.source.current !== undefined, "watch opened");
    h.source.current?.push({ type: "BOOKMARK", object: { metadata: { resourceVersion: "555" } } });
    await until(() => h.informer.resourceVersion === "555", "bookmark applied");
    h.source.current?.fail(new Error("connection reset"));
    await until(() => h.source.streams.length === 2, "watch restarted");
    assert.equal(h.source.current?.query.resourceVersion, "555");
    assert.equal(h.source.lists.length, 1, "an ordinary error resumes without a new LIST");
    assert.equal(await h.restarts("error"), 1);
    await h.informer.stop();
  });

  for (const how of ["an ERROR watch event", "the watch request's HTTP status"] as const) {
    test(`410 Gone as ${how} re-lists and emits the difference`, async () => {
      const h = harness();
      h.source.put("keep", { v: "1" });
      h.source.put("change", { v: "1" });
      h.source.put("drop", { v: "1" });
      await h.informer.start();
      await until(() => h.source.current !== undefined, "watch opened");
      h.seen.length = 0;

      // Changes the informer never hears about, then the apiserver's history no longer reaches back.
      h.source.put("change", { v: "2" });
      h.source.remove("drop");
      h.source.put("new", { v: "1" });
      if (how === "an ERROR watch event") {
        h.source.current?.push({ type: "ERROR", object: { kind: "Status", code: 410, message: "too old" } });
      } else {
        h.source.watchErrors.push(gone());
        h.source.current?.fail(new Error("connection reset"));
      }

      await until(() => h.source.lists.length === 2, "re-listed");
      await until(() => h.seen.length === 3, "diff emitted");
      assert.deepEqual([...h.seen].sort(), ["add new", "delete drop", "update change 1->2"]);
      assert.deepEqual(cacheView(h.informer), { "ns/change": "2", "ns/keep": "1", "ns/new": "1" });
      await until(
        () => h.source.current?.query.resourceVersion === h.source.resourceVersion,
        "watch from new list",
      );
      assert.equal(await h.restarts("gone"), 1);
      await h.informer.stop();
    });
  }

  test("keeps retrying a failing LIST and resolves start() once one succeeds", async () => {
    const h = harness();
    h.source.put("a");
    let failures = 3;
    const list = h.source.list.bind(h.source);
    h.source.list = async (path, query) => {
      if (failures-- > 0) throw new Error("apiserver unavailable");
      return list(path, query);
    };
    await h.informer.start();
    assert.equal(h.informer.hasSynced(), true);
    assert.deepEqual(h.seen, ["add a"]);
    assert.equal(await h.restarts("error"), 3);
    await h.informer.stop();
  });

  test("a stream that ends early is resumed; a transform can drop objects", async () => {
    const h = harness({
      transform: (raw) => (raw.metadata?.name?.startsWith("skip") ? undefined : stripManagedFields(raw)),
    });
    await h.informer.start();
    await until(() => h.source.current !== undefined, "watch opened");
    h.source.current?.push({ type: "ADDED", object: h.source.put("skip-me") });
    h.source.current?.push({ type: "ADDED", object: h.source.put("a", { v: "1" }) });
    h.source.current?.end();
    await until(() => h.source.streams.length === 2, "watch resumed");
    // An object that stops passing the transform leaves the cache as a delete.
    h.source.current?.push({ type: "MODIFIED", object: h.source.put("a", { v: "2" }) });
    h.source.current?.push({ type: "MODIFIED", object: h.source.put("skip-a", { v: "2" }) });
    await until(() => h.seen.length === 2, "events");
    assert.deepEqual(h.seen, ["add a", "update a 1->2"]);
    assert.deepEqual(h.informer.keys(), ["ns/a"]);
    assert.equal(await h.restarts("closed"), 1);
    await h.informer.stop();
  });

  test("an index maps values to objects through adds, updates, deletes and re-lists", async () => {
    const h = harness();
    h.informer.addIndex("service", (o) => (o.data?.service ? [o.data.service] : []));
    h.source.put("r1", { service: "web" });
    await h.informer.start();
    await until(() => h.source.current !== undefined, "watch opened");
    const names = (svc: string) => h.informer.byIndex("service", svc).map((o) => o.metadata?.name);
    assert.deepEqual(names("web"), ["r1"]);

    h.source.current?.push({ type: "ADDED", object: h.source.put("r2", { service: "web" }) });
    h.source.current?.push({ type: "MODIFIED", object: h.source.put("r1", { service: "api" }) });
    await until(() => h.seen.length === 3, "events");
    assert.deepEqual(names("web"), ["r2"]);
    assert.deepEqual(names("api"), ["r1"]);

    h.source.remove("r2");
    h.source.current?.push({ type: "ERROR", object: { code: 410 } });
    await until(() => h.seen.length === 4, "re-list diff");
    assert.deepEqual(names("web"), []);
    assert.deepEqual(names("api"), ["r1"]);
    assert.throws(() => h.informer.byIndex("nope", "x"), /no index nope/);
    await h.informer.stop();
  });

  test("a throwing handler neither stops delivery nor the informer", async () => {
    const h = harness();
    h.informer.on("add", () => {
      throw new Error("handler bug");
    });
    await h.informer.start();
    await until(() => h.source.current !== undefined, "watch opened");
    h.source.current?.push({ type: "ADDED", object: h.source.put("a") });
    h.source.current?.push({ type: "ADDED", object: h.source.put("b") });
    await until(() => h.seen.length === 2, "both adds");
    assert.equal(h.source.streams.length, 1);
    await h.informer.stop();
  });

  test("stop() before the first LIST rejects start() and ends the retry loop", async () => {
    const h = harness({ random: () => 0.5, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    h.source.list = async () => {
      throw new Error("apiserver unavailable");
    };
    const started = h.informer.start();
    await until(() => h.informer.hasSynced() === false, "loop running");
    await h.informer.stop();
    await assert.rejects(started, /stopped before it synced/);
  });
});
