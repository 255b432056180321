// The __complete protocol as kubectl and the shells call it, against HTTP servers standing for two
// clusters: names come from the cluster and namespace the flags typed so far choose.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ramp } from "./io.ts";

/** A server that answers list requests with objects named after the cluster, the namespace and the kind. */
function cluster(name: string): { server: Server; seen: string[] } {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "", "http://x").pathname;
    seen.push(path);
    const ns = /\/namespaces\/([^/]+)\//.exec(path)?.[1];
    const kind = path.split("/").at(-1);
    const names =
      path === "/api/v1/namespaces"
        ? [`${name}-ns1`, `${name}-ns2`]
        : [`${name}-${ns}-${kind}-${path.split("/")[2]}`];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ items: names.map((n) => ({ metadata: { name: n } })), metadata: {} }));
  });
  return { server, seen };
}

const a = cluster("a");
const b = cluster("b");
let env: { KUBECONFIG: string };

before(async () => {
  for (const c of [a, b]) await new Promise<void>((resolve) => c.server.listen(0, "127.0.0.1", resolve));
  const url = (c: typeof a) => `http://127.0.0.1:${(c.server.address() as AddressInfo).port}`;
  const file = join(mkdtempSync(join(tmpdir(), "ramp-complete-")), "config");
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: ctx-a
clusters:
- {name: cluster-a, cluster: {server: "${url(a)}", insecure-skip-tls-verify: true}}
- {name: cluster-b, cluster: {server: "${url(b)}", insecure-skip-tls-verify: true}}
users: [{name: u, user: {token: t}}]
contexts:
- {name: ctx-a, context: {cluster: cluster-a, user: u, namespace: home}}
- {name: ctx-b, context: {cluster: cluster-b, user: u}}
`,
  );
  env = { KUBECONFIG: file };
});
after(() => {
  a.server.close();
  b.server.close();
});

const complete = async (...words: string[]) => {
  const r = await ramp(["__complete", ...words], { env });
  assert.equal(r.code, 0);
  return r.stdout.trimEnd().split("\n");
};

describe("__complete against a cluster", () => {
  test("Rollout names from the context's namespace", async () => {
    assert.deepEqual(await complete("promote", ""), ["a-home-rollouts-ramp.dev", ":4"]);
  });

  test("-n typed before (also as -n=) chooses the namespace", async () => {
    assert.deepEqual(await complete("-n", "shop", "promote", ""), ["a-shop-rollouts-ramp.dev", ":4"]);
    assert.deepEqual(await complete("promote", "-n=shop", ""), ["a-shop-rollouts-ramp.dev", ":4"]);
  });

  test("--context typed before chooses the cluster", async () => {
    assert.deepEqual(await complete("--context", "ctx-b", "abort", ""), [
      "b-default-rollouts-ramp.dev",
      ":4",
    ]);
  });

  test("namespaces after -n, from the cluster", async () => {
    assert.deepEqual(await complete("promote", "-n", ""), ["a-ns1", "a-ns2", ":4"]);
    assert.deepEqual(await complete("--context=ctx-b", "promote", "--namespace", "b-ns2"), ["b-ns2", ":4"]);
  });

  test("contexts after --context, from the kubeconfig", async () => {
    const before = a.seen.length + b.seen.length;
    assert.deepEqual(await complete("list", "--context", ""), ["ctx-a", "ctx-b", ":4"]);
    assert.equal(a.seen.length + b.seen.length, before, "no request for kubeconfig names");
  });

  test("migrate completes what it migrates from", async () => {
    assert.deepEqual(await complete("migrate", "canary", ""), ["a-home-canaries-flagger.app", ":4"]);
    assert.ok(a.seen.includes("/apis/flagger.app/v1beta1/namespaces/home/canaries"));
    await complete("migrate", "rollout", "");
    assert.ok(a.seen.includes("/apis/argoproj.io/v1alpha1/namespaces/home/rollouts"));
  });

  test("no request where no Rollout goes", async () => {
    const before = a.seen.length;
    assert.deepEqual(await complete("abort", "--reason", ""), [":4"]);
    assert.deepEqual(await complete("list", "rollouts", ""), [":4"]);
    assert.equal(a.seen.length, before);
  });
});
