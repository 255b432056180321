import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestNamespace, deleteTestNamespace, loadKubeConfig } from "../../../dev/kube.ts";
import { ApiError, PatchType, statusCodeOf } from "../../../src/kube/client.ts";
import { clientsFor, counterValue } from "./support.ts";

describe("makeClients counts every request", () => {
  const kc = loadKubeConfig();
  const { clients, metrics } = clientsFor(kc);
  let ns = "";
  const count = (verb: string, resource: string, code: string) =>
    counterValue(metrics.kube.requests, { verb, resource, code });

  before(async () => {
    ns = await createTestNamespace("kube-client", kc);
  });
  after(async () => {
    await deleteTestNamespace(ns, { wait: false, kc });
    await clients.close();
  });

  test("request(): get, list, create, update, delete with status codes; errors carry the code and Status", async () => {
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    await clients.request("GET", `/api/v1/namespaces/${ns}`);
    await clients.request("POST", base, { metadata: { name: "a" }, data: { v: "1" } });
    const cm = await clients.request<{ data: Record<string, string> }>("GET", `${base}/a`);
    cm.data = { v: "2" };
    await clients.request("PUT", `${base}/a`, cm);
    await clients.list(base, {});
    await assert.rejects(clients.request("GET", `${base}/missing`), (err) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 404);
      assert.equal((err.body as { reason?: string }).reason, "NotFound");
      return true;
    });
    await clients.request("DELETE", `${base}/a`);

    assert.equal(await count("get", "namespaces", "200"), 1);
    assert.equal(await count("create", "configmaps", "201"), 1);
    assert.equal(await count("get", "configmaps", "200"), 1);
    assert.equal(await count("update", "configmaps", "200"), 1);
    assert.equal(await count("list", "configmaps", "200"), 1);
    assert.equal(await count("get", "configmaps", "404"), 1);
    assert.equal(await count("delete", "configmaps", "200"), 1);
  });

  test("every API group goes through the one counted transport", async () => {
    await clients.list(`/apis/apps/v1/namespaces/${ns}/replicasets`, {});
    await clients.list(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {});
    await clients.list(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`, {});
    await clients.list("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {});

    assert.equal(await count("list", "replicasets", "200"), 1);
    assert.equal(await count("list", "leases", "200"), 1);
    assert.equal(await count("list", "ingresses", "200"), 1);
    assert.equal(await count("list", "customresourcedefinitions", "200"), 1);
  });

  test("request(): merge patch, server-side apply and JSON patch on chosen content types", async () => {
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    await clients.request("POST", base, { metadata: { name: "b" }, data: { v: "1" } });
    await clients.request("PATCH", `${base}/b`, { data: { w: "merged" } }, PatchType.merge);
    const applied = await clients.request<{ data: Record<string, string> }>(
      "PATCH",
      `${base}/b?fieldManager=ramp-test&force=true`,
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: applied\n",
      PatchType.apply,
    );
    assert.equal(applied.data.x, "applied");
    const patched = await clients.request<{ data: Record<string, string> }>(
      "PATCH",
      `${base}/b`,
      [{ op: "replace", path: "/data/v", value: "json" }],
      PatchType.json,
    );
    assert.deepEqual(patched.data, { v: "json", w: "merged", x: "applied" });
    const conflict = await clients
      .request("POST", base, { metadata: { name: "b" } })
      .catch((e: unknown) => e);
    assert.equal(statusCodeOf(conflict), 409);
    assert.ok(conflict instanceof ApiError);
    assert.equal((conflict.body as { reason?: string }).reason, "AlreadyExists");

    assert.equal(await count("create", "configmaps", "201"), 2);
    assert.equal(await count("patch", "configmaps", "200"), 3);
    assert.equal(await count("create", "configmaps", "409"), 1);
  });

  test("watch(): counted as a watch, streams events, and a subresource gets its own label", async () => {
    const abort = new AbortController();
    const events = await clients.watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: "0" },
      abort.signal,
    );
    const names: string[] = [];
    for await (const event of events) {
      names.push(`${event.type} ${event.object.metadata?.name}`);
      if (names.includes("ADDED b")) break;
    }
    abort.abort();
    assert.ok(names.includes("ADDED b"), names.join(", "));
    assert.equal(await count("watch", "configmaps", "200"), 1);

    await clients.request("GET", `/api/v1/namespaces/${ns}/status`);
    assert.equal(await count("get", "namespaces/status", "200"), 1);
  });
});
