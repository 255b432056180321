import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type HttpServer, parseListenAddress, startHttpServer } from "../../../src/observability/http.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";

describe("parseListenAddress", () => {
  const cases: [string, string | undefined, number][] = [
    ["127.0.0.1:8080", "127.0.0.1", 8080],
    [":8080", undefined, 8080],
    ["[::1]:9090", "::1", 9090],
    ["0.0.0.0:0", "0.0.0.0", 0],
    ["localhost:1", "localhost", 1],
  ];
  for (const [addr, host, port] of cases) {
    test(addr, () => assert.deepEqual(parseListenAddress(addr), { host, port }));
  }
  for (const bad of ["8080", "host:", "host:99999", "::1:80"]) {
    test(`rejects ${bad}`, () => assert.throws(() => parseListenAddress(bad), /invalid listen address/));
  }
});

describe("startHttpServer", () => {
  const metrics = createMetrics({ defaultMetrics: false });
  let ready = false;
  let server: HttpServer;
  let base: string;

  before(async () => {
    server = await startHttpServer({
      addr: "127.0.0.1:0",
      checkTimeoutMs: 200,
      routes: {
        registry: metrics.registry,
        healthz: { ping: () => true },
        readyz: {
          informers: () => ready,
          leader: async () => true,
          broken: () => {
            if (!ready) throw new Error("not yet");
            return true;
          },
        },
      },
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close());

  test("binds the given address on a free port", () => {
    assert.ok(server.port > 0);
  });

  test("/metrics serves the registry in the Prometheus text format", async () => {
    metrics.kube.requests.inc({ verb: "get", resource: "rollouts", code: "200" });
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), metrics.registry.contentType);
    const body = await res.text();
    assert.match(body, /ramp_kube_api_requests_total\{verb="get",resource="rollouts",code="200"\} 1/);
    assert.match(body, /ramp_build_info\{version="[^"]+",node="v\d+/);
  });

  test("/healthz is ok when every check passes", async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "ok\n");
  });

  test("/readyz is 503 naming each failing check, then ok", async () => {
    ready = false;
    const res = await fetch(`${base}/readyz`);
    assert.equal(res.status, 503);
    assert.equal(await res.text(), "informers failed\nbroken failed\n");
    ready = true;
    const again = await fetch(`${base}/readyz`);
    assert.equal(again.status, 200);
    assert.equal(await again.text(), "ok\n");
  });

  test("unknown paths are 404 and other methods 405", async () => {
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    const post = await fetch(`${base}/metrics`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
  });

  test("a check that hangs fails after the check timeout", async () => {
    const hanging = await startHttpServer({
      addr: "127.0.0.1:0",
      checkTimeoutMs: 50,
      routes: { readyz: { stuck: () => new Promise<boolean>(() => {}) } },
    });
    try {
      const res = await fetch(`http://127.0.0.1:${hanging.port}/readyz`);
      assert.equal(res.status, 503);
      assert.equal(await res.text(), "stuck failed\n");
    } finally {
      await hanging.close();
    }
  });

  test('":port" listens on every interface, loopback included', async () => {
    const all = await startHttpServer({ addr: ":0", routes: {} });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${all.port}/healthz`)).status, 200);
    } finally {
      await all.close();
    }
  });

  test("close() frees the port even with a keep-alive connection open", async () => {
    const other = await startHttpServer({ addr: "127.0.0.1:0", routes: {} });
    await (await fetch(`http://127.0.0.1:${other.port}/healthz`)).text();
    await other.close();
    await assert.rejects(fetch(`http://127.0.0.1:${other.port}/healthz`));
  });
});
