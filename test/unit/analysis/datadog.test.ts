// Contract tests of the datadog provider: a local server checks every request against Datadog's documented
// API (test/support/vendors/datadog-contract.ts) and answers with its documented shapes; the provider's
// values, no-data cases, errors, rate limits, site selection, the address policy and timeouts.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { assessMeasurement } from "../../../src/analysis/assess.ts";
import { datadogProvider } from "../../../src/analysis/providers/datadog.ts";
import type { Resolve } from "../../../src/analysis/providers/guarded-http.ts";
import { webPolicy } from "../../../src/analysis/providers/web-policy.ts";
import type { DatadogProvider, Metric } from "../../../src/api/index.ts";
import { RampError } from "../../../src/errors.ts";
import { measureContext } from "../../support/measure.ts";
import { DatadogContract, DD_API_KEY, DD_APP_KEY, dd } from "../../support/vendors/datadog-contract.ts";

const NOW = 1_800_000_000_000;
const KEYS: Record<string, string> = { "api-key": DD_API_KEY, "app-key": DD_APP_KEY };

function ctx(datadog: DatadogProvider, args: Record<string, string> = {}, keys = KEYS) {
  const metric: Metric = { name: "errors", provider: { datadog } };
  return {
    ...measureContext(metric),
    args,
    secret: async (name: string, key: string) => {
      assert.equal(name, "dd");
      const v = keys[key];
      if (v === undefined) throw new Error(`Secret ${name} has no key ${key}`);
      return v;
    },
  };
}
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail("expected an error"),
    (e: unknown) => e as Error,
  );

describe("datadog provider (contract tests)", () => {
  let api: DatadogContract;
  const provider = () => datadogProvider(webPolicy({}), undefined, () => NOW);
  const at = (extra: Partial<DatadogProvider>): DatadogProvider => ({
    address: api.url,
    secretRef: { name: "dd" },
    ...extra,
  });
  before(async () => {
    api = await DatadogContract.start();
  });
  after(async () => {
    await api.stop();
    assert.deepEqual(api.violations, [], "every request kept Datadog's documented contract");
  });

  test("contract test v1: GET /api/v1/query with both keys, the window in seconds, args replaced; the last point with a value", async () => {
    api.answer(
      "sum:errors{service:shop}",
      dd.v1([
        [NOW - 60_000, 0.5],
        [NOW - 30_000, 0.02],
        [NOW, null],
      ]),
    );
    const out = await provider().measure(
      ctx(at({ interval: "10m", query: "sum:errors{service:{{args.service}}}" }), { service: "shop" }),
    );
    assert.deepEqual(out, { kind: "value", value: 0.02 });
    const req = api.requests.at(-1);
    assert.equal(req?.version, "v1");
    assert.equal(req?.to, NOW / 1000);
    assert.equal((req?.to ?? 0) - (req?.from ?? 0), 600, "interval 10m is the window");
  });

  test("contract test v2: POST /api/v2/query/scalar, a query alone is named query with formula query, aggregator last", async () => {
    api.answer("query", dd.v2([0.03]));
    const out = await provider().measure(ctx(at({ apiVersion: "v2", query: "avg:latency{*}" })));
    assert.deepEqual(out, { kind: "value", value: 0.03 });
    const req = api.requests.at(-1);
    assert.deepEqual(req?.queries, { query: "avg:latency{*}" });
    assert.equal(req?.aggregator, "last");
    assert.equal((req?.to ?? 0) - (req?.from ?? 0), 300_000, "default window 5m, in ms");
  });

  test("contract test v2: queries combined by a formula, with an aggregator; a grouped answer is a list", async () => {
    api.answer("a / b * 100", dd.v2([1.5]));
    const spec = at({
      apiVersion: "v2",
      aggregator: "sum",
      queries: { a: "count:errors{service:{{args.s}}}", b: "count:requests{service:{{args.s}}}" },
      formula: "a / b * 100",
    });
    assert.deepEqual(await provider().measure(ctx(spec, { s: "shop" })), { kind: "value", value: 1.5 });
    assert.deepEqual(api.requests.at(-1)?.queries, {
      a: "count:errors{service:shop}",
      b: "count:requests{service:shop}",
    });
    assert.equal(api.requests.at(-1)?.aggregator, "sum");
    api.answer("grouped", dd.v2([0.01, 0.2], ["GET /a", "GET /b"]));
    const grouped = await provider().measure(ctx(at({ apiVersion: "v2", queries: { grouped: "q by {r}" } })));
    assert.deepEqual(grouped, { kind: "value", value: [0.01, 0.2] });
  });

  test("contract test: an empty series, null points or an empty column are no data, never a pass", async () => {
    api.answer("empty-v1", dd.v1([]));
    api.answer("nulls-v1", dd.v1([[NOW, null]]));
    api.answer("query", dd.v2([]));
    const metric: Metric = { name: "m", successCondition: "true", provider: { datadog: at({ query: "x" }) } };
    for (const spec of [
      at({ query: "empty-v1" }),
      at({ query: "nulls-v1" }),
      at({ apiVersion: "v2", query: "q" }),
    ]) {
      const out = await provider().measure(ctx(spec));
      assert.equal(out.kind, "value");
      const value = out.kind === "value" ? out.value : 0;
      const verdict = await assessMeasurement(metric, value, async () => true);
      assert.equal(verdict.phase, "Inconclusive", JSON.stringify(spec));
      assert.equal(verdict.noData, true);
    }
  });

  test("contract test: a 429 names the rate limit and when to retry; a 400 carries Datadog's own message", async () => {
    api.answer("limited", dd.rateLimited());
    const limited = await rejection(provider().measure(ctx(at({ query: "limited" }))));
    assert.match(limited.message, /^datadog rate limit \(HTTP 429, query_scalar_public\): retry in 17s/);
    api.answer("bad", dd.badRequest("Error parsing query: unable to parse bad"));
    const bad = await rejection(provider().measure(ctx(at({ query: "bad" }))));
    assert.equal(bad.message, "datadog answered HTTP 400: Error parsing query: unable to parse bad");
  });

  test("contract test: wrong keys are a 403 naming the Secret's keys, never their values", async () => {
    api.answer("x", dd.v1([[NOW, 1]]));
    const wrong = { "api-key": "wrong-api-key-value", "app-key": "wrong-app-key-value" };
    const err = await rejection(provider().measure(ctx(at({ query: "x" }), {}, wrong)));
    assert.equal(
      err.message,
      'datadog answered HTTP 403 (Forbidden): check the api-key and app-key of Secret "dd" and the site',
    );
    assert.doesNotMatch(err.message, /wrong-ap/);
  });

  test("a key a server echoes back is scrubbed from the message", async () => {
    const echo = createServer((req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [`bad key ${req.headers["dd-api-key"]}`] }));
    });
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const err = await rejection(
      provider().measure(ctx({ address: url, secretRef: { name: "dd" }, query: "q" })),
    );
    echo.close();
    assert.equal(err.message, "datadog answered HTTP 400: bad key ***");
  });

  test("site picks https://api.<site>, and the address policy applies to it and to address", async () => {
    const resolve: Resolve = async () => [{ address: "10.0.0.1", family: 4 }];
    const policy = webPolicy({ deny: ["api.datadoghq.eu"] });
    const eu = await rejection(
      datadogProvider(policy, resolve).measure(
        ctx({ site: "datadoghq.eu", secretRef: { name: "dd" }, query: "q" }),
      ),
    );
    assert.ok(eu instanceof RampError);
    assert.match(
      eu.message,
      /^WebAnalysisDenied: metric errors: spec\.metrics\[0\]\.provider\.datadog\.site https:\/\/api\.datadoghq\.eu/,
    );
    const meta = await rejection(
      provider().measure(ctx({ address: "http://169.254.169.254", secretRef: { name: "dd" }, query: "q" })),
    );
    assert.match(
      meta.message,
      /^WebAnalysisDenied: .*provider\.datadog\.address http:\/\/169\.254\.169\.254/,
    );
  });

  test("requestTimeout bounds a request, and an answer over the size limit is an error", async () => {
    const slow = createServer((req, res) => {
      if (req.url?.includes("huge")) res.end(`{"series":[${"0,".repeat(2_200_000)}0]}`);
      else setTimeout(() => res.end("{}"), 2000);
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const spec = (query: string, requestTimeout: string): DatadogProvider => ({
      address: url,
      secretRef: { name: "dd" },
      query,
      requestTimeout,
    });
    try {
      const started = Date.now();
      const timeout = await rejection(provider().measure(ctx(spec("slow", "200ms"))));
      assert.match(timeout.message, /did not answer within 200 ms/);
      assert.ok(Date.now() - started < 1500);
      const huge = await rejection(provider().measure(ctx(spec("huge", "10s"))));
      assert.match(huge.message, /answered more than 4194304 bytes/);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});
