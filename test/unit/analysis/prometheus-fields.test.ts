// The prometheus provider as Argo Rollouts writes it: its timeout (an integer: seconds, or as ramp does, a
// duration) against a stand-in that answers after 1.5 s (1 times out, 2 and "2s" do not), and
// {{args.NAME}} in its address and header values.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { prometheusProvider } from "../../../src/analysis/providers/prometheus.ts";
import { measureContext } from "../../support/measure.ts";

const DELAY_MS = 1500;
let server: Server;
let address = "";
before(async () => {
  server = createServer((_req, res) => {
    setTimeout(() => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }));
    }, DELAY_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const measure = async (timeout: number | string) => {
  const started = Date.now();
  const ctx = measureContext({ name: "m", provider: { prometheus: { address, query: "up", timeout } } });
  const outcome = await prometheusProvider()
    .measure(ctx)
    .then(
      (o) => o,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
  return { outcome, ms: Date.now() - started };
};

describe("prometheus timeout", () => {
  test("1 (an integer, Argo's form) is one second: the 1.5 s answer times out after about 1 s", async () => {
    const { outcome, ms } = await measure(1);
    assert.ok(outcome instanceof Error, "timed out");
    assert.match(outcome.message, /prometheus timeout_error/);
    assert.ok(ms >= 900 && ms < DELAY_MS, `${ms} ms`);
  });
  for (const timeout of [2, "2s"]) {
    test(`${JSON.stringify(timeout)} waits for the 1.5 s answer`, async () => {
      const { outcome, ms } = await measure(timeout);
      assert.deepEqual(outcome, { kind: "value", value: [] });
      assert.ok(ms >= DELAY_MS, `${ms} ms`);
    });
  }
});

describe("prometheus args in address and headers, as Argo Rollouts replaces them", () => {
  let seen: { url?: string | undefined; headers: Record<string, unknown> } = { headers: {} };
  let echo: Server;
  let port = 0;
  before(async () => {
    echo = createServer((req, res) => {
      seen = { url: req.url, headers: req.headers };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "success", data: { resultType: "scalar", result: [0, "1"] } }));
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    port = (echo.address() as AddressInfo).port;
  });
  after(() => {
    echo.closeAllConnections();
    echo.close();
  });

  test("{{args.NAME}} in address and in header values is replaced; a Secret header is read", async () => {
    const ctx = {
      ...measureContext({
        name: "m",
        provider: {
          prometheus: {
            address: "http://127.0.0.1:{{args.port}}/{{args.tenant}}",
            query: "up",
            headers: [
              { key: "X-Scope-OrgID", value: "team-{{args.tenant}}" },
              { key: "X-Token", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
            ],
          },
        },
      }),
      args: { port: String(port), tenant: "a b" },
    };
    assert.deepEqual(await prometheusProvider().measure(ctx), { kind: "value", value: 1 });
    // Inside a URL an arg is encoded so it stays one part; a header value takes it as it is.
    assert.match(seen.url ?? "", /^\/a%20b\/api\/v1\/query\?/);
    assert.equal(seen.headers["x-scope-orgid"], "team-a b");
    assert.equal(seen.headers["x-token"], "s3cret");
  });

  test("an address arg the run does not have is an Error naming it", async () => {
    const ctx = measureContext({
      name: "m",
      provider: { prometheus: { address: "http://{{args.host}}:9090", query: "up" } },
    });
    await assert.rejects(prometheusProvider().measure(ctx), /\{\{args\.host\}\}: no arg "host" was given/);
  });
});

test("a 401 that is not Prometheus' JSON (its basic auth, a proxy) is an Error naming the status and the fields", async () => {
  const guard = createServer((_req, res) => {
    res.writeHead(401, { "content-type": "text/plain" });
    res.end("Unauthorized\n");
  });
  await new Promise<void>((resolve) => guard.listen(0, "127.0.0.1", resolve));
  try {
    const port = (guard.address() as AddressInfo).port;
    const ctx = measureContext({
      name: "m",
      provider: { prometheus: { address: `http://127.0.0.1:${port}`, query: "up" } },
    });
    await assert.rejects(prometheusProvider().measure(ctx), {
      message:
        "prometheus answered HTTP 401 Unauthorized: the address refused the metric's credentials; check authentication.basic, authentication.bearerToken and headers",
    });
  } finally {
    guard.close();
  }
});
