// /metrics with collectors: the registry's text then the rendered chunks, streamed with backpressure, a
// client that leaves stops the rendering, and a collector that fails cuts only that scrape.
import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Registry, type RegistryContentType } from "prom-client";
import type { ExpositionSource } from "../../../src/observability/exposition.ts";
import { type HttpServer, startHttpServer } from "../../../src/observability/http.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";

describe("/metrics with collectors", () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const state = { renders: 0, produced: 0, closed: 0, fail: false };
  const sync: ExpositionSource = function* () {
    state.renders++;
    yield "# HELP x_a A.\n# TYPE x_a gauge\n";
    yield 'x_a{k="1"} 1\n';
  };
  const asyncSource: ExpositionSource = async function* () {
    yield "# HELP x_b B.\n# TYPE x_b gauge\n";
    await sleep(1);
    if (state.fail) throw new Error("render failed");
    yield "x_b 2\n";
  };
  let server: HttpServer;
  let base: string;

  before(async () => {
    server = await startHttpServer({
      addr: "127.0.0.1:0",
      routes: { registry: metrics.registry, collectors: [sync, asyncSource] },
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close());

  test("the registry's text, then each collector's chunks, as the registry's content type, chunked", async () => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), metrics.registry.contentType);
    assert.equal(res.headers.get("content-length"), null);
    assert.equal(res.headers.get("transfer-encoding"), "chunked");
    const body = await res.text();
    const registry = await metrics.registry.metrics();
    assert.equal(
      body,
      `${registry}# HELP x_a A.\n# TYPE x_a gauge\nx_a{k="1"} 1\n# HELP x_b B.\n# TYPE x_b gauge\nx_b 2\n`,
    );
  });

  test("HEAD renders nothing", async () => {
    const before = state.renders;
    const res = await fetch(`${base}/metrics`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), metrics.registry.contentType);
    assert.equal(await res.text(), "");
    assert.equal(state.renders, before);
  });

  test("a collector failing mid-scrape cuts that response only", async () => {
    state.fail = true;
    await assert.rejects(fetch(`${base}/metrics`).then((r) => r.text()));
    state.fail = false;
    assert.match(await (await fetch(`${base}/metrics`)).text(), /^x_b 2$/m);
  });

  test("rendering waits for a slow reader and stops when the client leaves", async () => {
    const chunk = "x_c 1\n".repeat(100_000);
    const endless: ExpositionSource = function* () {
      try {
        for (;;) {
          state.produced++;
          yield chunk;
        }
      } finally {
        state.closed++;
      }
    };
    const slow = await startHttpServer({
      addr: "127.0.0.1:0",
      routes: { registry: new Registry(), collectors: [endless] },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no response")), 5_000);
        const req = get(`http://127.0.0.1:${slow.port}/metrics`, (res) => {
          res.once("data", () => {
            res.pause();
            // Nothing is read for a while: the server must stop producing, not buffer without end.
            setTimeout(() => {
              clearTimeout(timer);
              req.destroy();
              resolve();
            }, 200);
          });
        });
        req.on("error", () => {});
      });
      for (let i = 0; i < 100 && state.closed === 0; i++) await sleep(20);
      assert.equal(state.closed, 1, "the render was ended");
      // Bounded by the kernel's socket buffers; without backpressure it would be thousands.
      assert.ok(
        state.produced < 100,
        `${state.produced} chunks of 600 KB rendered for a reader that read one`,
      );
    } finally {
      await slow.close();
    }
  });

  test("collectors write the Prometheus text format: an OpenMetrics registry is refused", async () => {
    // The types allow only text-format registries already; this is for one that was cast.
    const open = new Registry() as unknown as Registry<RegistryContentType>;
    open.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    await assert.rejects(
      startHttpServer({ addr: "127.0.0.1:0", routes: { registry: open as Registry, collectors: [sync] } }),
      /content type/,
    );
  });
});
