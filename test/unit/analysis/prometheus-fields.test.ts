// The prometheus provider's timeout as Argo Rollouts writes it (an integer: seconds) and as ramp does (a
// duration), against a local stand-in that answers after 1.5 s: 1 times out, 2 and "2s" do not.
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
