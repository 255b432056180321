import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubernetesObject } from "@kubernetes/client-node";
import { createTestNamespace, deleteTestNamespace, loadKubeConfig, waitFor } from "../../../dev/kube.ts";
import type { ListWatchSource } from "../../../src/kube/client.ts";
import { Informer, objectKey } from "../../../src/kube/informer.ts";
import { clientsFor, counterValue, createWidgetCrd, startProxy, type TestCrd } from "./support.ts";

type Obj = KubernetesObject & { data?: Record<string, string> };

/** Records every handler call in a comparable form. */
function record(informer: Informer<Obj>): string[] {
  const seen: string[] = [];
  informer.on("add", (o) => seen.push(`add ${o.metadata?.name} ${o.data?.v}`));
  informer.on("update", (a, b) => seen.push(`update ${a.metadata?.name} ${a.data?.v}->${b.data?.v}`));
  informer.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
  return seen;
}

function view(informer: Informer<Obj>): Record<string, string | undefined> {
  return Object.fromEntries(
    informer
      .list()
      .map((o) => [objectKey(o), o.data?.v] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

const fastRetry = { backoff: { initialMs: 50, maxMs: 1000 } };

describe("Informer against the real apiserver", () => {
  const kc = loadKubeConfig();
  const direct = clientsFor(kc);
  let ns = "";
  let crd: TestCrd | undefined;

  before(async () => {
    ns = await createTestNamespace("kube-informer", kc);
  });
  after(async () => {
    await crd?.delete();
    await deleteTestNamespace(ns, { wait: false, kc });
    await direct.clients.close();
  });

  const cmPath = () => `/api/v1/namespaces/${ns}/configmaps`;
  const put = (name: string, v: string) =>
    direct.clients.request(
      "PATCH",
      `${cmPath()}/${name}?fieldManager=test&force=true`,
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, labels: { set: "informer" } },
        data: { v },
      },
      "application/apply-patch+yaml",
    );
  const remove = (name: string) => direct.clients.request("DELETE", `${cmPath()}/${name}`);

  test("delivers add, update and delete and keeps the cache equal to the cluster", async () => {
    await put("pre", "1");
    const { clients, metrics } = clientsFor(kc);
    const informer = new Informer<Obj>({
      source: clients,
      path: cmPath(),
      labelSelector: "set=informer",
      metrics,
      ...fastRetry,
    });
    const seen = record(informer);
    await informer.start();
    assert.deepEqual(view(informer), { [`${ns}/pre`]: "1" });
    assert.equal(informer.get(`${ns}/pre`)?.metadata?.managedFields, undefined, "managedFields stripped");

    await put("a", "1");
    await put("a", "2");
    await remove("pre");
    await waitFor(() => seen.length >= 4, { what: "four events", timeoutMs: 30_000 });
    assert.deepEqual(seen, ["add pre 1", "add a 1", "update a 1->2", "delete pre"]);
    assert.deepEqual(view(informer), { [`${ns}/a`]: "2" });
    assert.equal(await counterValue(metrics.kube.requests, { verb: "list", resource: "configmaps" }), 1);
    assert.equal(await counterValue(metrics.kube.requests, { verb: "watch", resource: "configmaps" }), 1);
    await informer.stop();
    await clients.close();
    await remove("a");
  });

  test("recovers when the watch connection is cut and sees what changed meanwhile", async () => {
    await put("keep", "1");
    await put("change", "1");
    await put("drop", "1");
    const proxy = await startProxy(kc);
    const { clients, metrics } = clientsFor(proxy.kc);
    const informer = new Informer<Obj>({
      source: clients,
      path: cmPath(),
      labelSelector: "set=informer",
      metrics,
      ...fastRetry,
    });
    const seen = record(informer);
    try {
      await informer.start();
      // Wait until the watch is open, so cutting breaks a live stream and not just the LIST.
      await waitFor(
        () => counterValue(metrics.kube.requests, { verb: "watch", resource: "configmaps", code: "200" }),
        {
          what: "the watch to open",
        },
      );
      seen.length = 0;

      proxy.down();
      await put("change", "2");
      await remove("drop");
      await put("new", "1");
      await waitFor(
        () => counterValue(metrics.kube.watchRestarts, { resource: "configmaps", reason: "error" }),
        {
          what: "the informer to notice the cut",
          timeoutMs: 30_000,
        },
      );
      proxy.up();

      const want = { [`${ns}/change`]: "2", [`${ns}/keep`]: "1", [`${ns}/new`]: "1" };
      await waitFor(() => JSON.stringify(view(informer)) === JSON.stringify(want), {
        what: "the cache to catch up after the cut",
        timeoutMs: 60_000,
      });
      assert.deepEqual([...seen].sort(), ["add new 1", "delete drop", "update change 1->2"]);
      // It resumed from its resourceVersion: the history was still there, so no second LIST.
      assert.equal(await counterValue(metrics.kube.requests, { verb: "list", resource: "configmaps" }), 1);
    } finally {
      await informer.stop();
      await clients.close();
      await proxy.close();
      for (const name of ["keep", "change", "new"]) await remove(name);
    }
  });

  test("a real 410 Gone makes it re-list and emit exactly what changed", async () => {
    crd = await createWidgetCrd(direct.clients);
    const path = crd.path(ns);
    const group = crd.group;
    const putWidget = (name: string, v: string) =>
      direct.clients.request(
        "PATCH",
        `${path}/${name}?fieldManager=test&force=true`,
        {
          apiVersion: `${group}/v1`,
          kind: "Widget",
          metadata: { name },
          data: { v },
        },
        "application/apply-patch+yaml",
      );
    for (const name of ["keep", "change", "drop"]) await putWidget(name, "1");

    const proxy = await startProxy(kc);
    const { clients, metrics } = clientsFor(proxy.kc);
    // While `expire` is set, watches ask for a resourceVersion long gone from the CRD's fresh watch
    // cache, so the apiserver itself answers 410, as it does after compaction. It stays set until one
    // such watch reached the apiserver, so attempts that die at the cut proxy do not use it up.
    let expire = false;
    const source: ListWatchSource = {
      list: (p, q, s) => clients.list(p, q, s),
      watch: async (p, q, s) => {
        const stale = expire;
        const events = await clients.watch(p, stale ? { ...q, resourceVersion: "1" } : q, s);
        if (stale) expire = false;
        return events;
      },
    };
    const informer = new Informer<Obj>({ source, path, metrics, ...fastRetry });
    const seen = record(informer);
    try {
      await informer.start();
      await waitFor(
        () => counterValue(metrics.kube.requests, { verb: "watch", resource: "widgets", code: "200" }),
        {
          what: "the watch to open",
        },
      );
      seen.length = 0;

      expire = true;
      proxy.down();
      await putWidget("change", "2");
      await direct.clients.request("DELETE", `${path}/drop`);
      await putWidget("new", "1");
      proxy.up();

      await waitFor(() => counterValue(metrics.kube.watchRestarts, { resource: "widgets", reason: "gone" }), {
        what: "a 410 from the apiserver",
        timeoutMs: 60_000,
      });
      const want = { [`${ns}/change`]: "2", [`${ns}/keep`]: "1", [`${ns}/new`]: "1" };
      await waitFor(() => JSON.stringify(view(informer)) === JSON.stringify(want), {
        what: "the cache to heal after 410",
        timeoutMs: 60_000,
      });
      assert.deepEqual([...seen].sort(), ["add new 1", "delete drop", "update change 1->2"]);
      assert.equal(await counterValue(metrics.kube.requests, { verb: "list", resource: "widgets" }), 2);

      // And it keeps watching from the new list.
      await putWidget("keep", "3");
      await waitFor(() => informer.get(`${ns}/keep`)?.data?.v === "3", { what: "an update after healing" });
    } finally {
      await informer.stop();
      await clients.close();
      await proxy.close();
    }
  });
});
