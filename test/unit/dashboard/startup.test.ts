// Starting the dashboard: it refuses to serve an empty page when it cannot list what it shows, and it serves
// the front-end's real build (buildAssets) as the contract says; routers' weights as each kind keeps them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startDashboardServer } from "../../../src/dashboard/server/index.ts";
import { weightsOf } from "../../../src/dashboard/server/routers.ts";
import { buildAssets } from "../../../src/dashboard/web/build.ts";
import { silentLogger } from "../../../src/observability/log.ts";
import { FakeClients } from "./fake-clients.ts";
import { call, REPLICASETS, ROLLOUTS, RUNS } from "./support.ts";

const fakeWithLists = () => {
  const fake = new FakeClients();
  for (const p of [ROLLOUTS, REPLICASETS, RUNS]) fake.set(p, []);
  return fake;
};

describe("dashboard startup", () => {
  test("a collection it may not list fails the start, naming it, instead of showing an empty page", async () => {
    const fake = fakeWithLists();
    fake.forbiddenLists.add(RUNS);
    await assert.rejects(
      startDashboardServer({
        mode: "cluster",
        host: "127.0.0.1",
        port: 0,
        clients: fake,
        log: silentLogger,
        assets: { index: "", files: new Map() },
        syncTimeoutMs: 300,
      }),
      /could not list analysisruns within 0\.3 s/,
    );
  });

  test("serves the real front-end build: index.html on page routes, every asset by its hashed name", async () => {
    const assets = await buildAssets();
    const server = await startDashboardServer({
      mode: "cluster",
      host: "127.0.0.1",
      port: 0,
      clients: fakeWithLists(),
      log: silentLogger,
      assets,
    });
    try {
      const index = await call(server.url, "/rollouts/ns/web");
      assert.equal(index.status, 200);
      assert.equal(index.body, assets.index);
      for (const name of assets.files.keys()) {
        assert.ok(index.body.includes(`/assets/${name}`), `index.html points at /assets/${name}`);
        const a = await call(server.url, `/assets/${name}`, { headers: { "Accept-Encoding": "gzip" } });
        assert.equal(a.status, 200, name);
        assert.equal(a.headers["cache-control"], "public, max-age=31536000, immutable");
      }
    } finally {
      await server.close();
    }
  });
});

describe("routers: weights as each kind keeps them", () => {
  const cases: [string, object, { backend: string; weight: number }[]][] = [
    [
      "HTTPRoute",
      {
        spec: {
          rules: [
            {
              backendRefs: [
                { name: "stable", weight: 70 },
                { name: "canary", weight: 30 },
              ],
            },
          ],
        },
      },
      [
        { backend: "stable", weight: 70 },
        { backend: "canary", weight: 30 },
      ],
    ],
    [
      "VirtualService",
      {
        spec: {
          http: [
            {
              route: [
                { destination: { host: "web", subset: "stable" }, weight: 90 },
                { destination: { host: "web-canary" }, weight: 10 },
              ],
            },
          ],
        },
      },
      [
        { backend: "stable", weight: 90 },
        { backend: "web-canary", weight: 10 },
      ],
    ],
    [
      "Ingress",
      { metadata: { annotations: { "x.io/canary-weight": "25", "x.io/canary-weight-total": "100" } } },
      [
        { backend: "canary", weight: 25 },
        { backend: "stable", weight: 75 },
      ],
    ],
  ];
  for (const [kind, obj, want] of cases)
    test(kind, () => assert.deepEqual(weightsOf(kind, obj, "x.io"), want));
});
