// The graphite provider against a real graphite-web (Debian's package) over whisper files this test writes
// (test/support/graphite.ts): the value, no data, Graphite's errors, args, the address policy; a local
// server for what a real one will not do on demand (hang, answer too much, an HTML 500).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { assessMeasurement } from "../../../src/analysis/assess.ts";
import { ConditionEvaluator } from "../../../src/analysis/conditions.ts";
import { graphiteProvider, renderParams } from "../../../src/analysis/providers/graphite.ts";
import type { Resolve } from "../../../src/analysis/providers/guarded-http.ts";
import { webPolicy } from "../../../src/analysis/providers/web-policy.ts";
import type { GraphiteProvider, Metric } from "../../../src/api/index.ts";
import { celFindings } from "../../../src/cli/lint/cel-rules.ts";
import { RampError } from "../../../src/errors.ts";
import { Graphite } from "../../support/graphite.ts";
import { measureContext } from "../../support/measure.ts";

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail("expected an error"),
    (e: unknown) => e as Error,
  );

describe("graphite provider against a real graphite-web", () => {
  let graphite: Graphite;
  const evaluator = new ConditionEvaluator({ timeoutMs: 5000 });
  const metric = (query: string, extra: Partial<Metric> = {}): Metric => ({
    name: "latency",
    successCondition: "result[0] < 0.5",
    failureCondition: "result[0] >= 0.5",
    ...extra,
    provider: { graphite: { address: graphite.url, query } },
  });
  const measure = (m: Metric, args: Record<string, string> = {}) =>
    graphiteProvider().measure({ ...measureContext(m), args });
  const verdict = async (m: Metric, args: Record<string, string> = {}) => {
    const out = await measure(m, args);
    assert.equal(out.kind, "value");
    return {
      value: out.kind === "value" ? out.value : undefined,
      ...(await assessMeasurement(m, out.kind === "value" ? out.value : null, (e, v) =>
        evaluator.evaluate(e, v),
      )),
    };
  };

  before(async () => {
    graphite = await Graphite.start();
    // The newest point is the one judged; the older ones would decide otherwise.
    graphite.write("shop.good.latency", [
      [40, 0.9],
      [30, 0.9],
      [20, 0.3],
    ]);
    graphite.write("shop.bad.latency", [
      [30, 0.1],
      [20, 0.8],
    ]);
    graphite.write("shop.idle.latency", [[3000, 0.1]]);
  });
  after(async () => {
    await evaluator.close();
    await graphite?.stop();
  });

  test("under the threshold passes, over it fails: the last non-null point of each series", async () => {
    const good = await verdict(metric("target=shop.good.latency"));
    assert.deepEqual(good.value, [0.3]);
    assert.equal(good.phase, "Successful");
    const bad = await verdict(metric("target=shop.bad.latency&from=-10min"));
    assert.deepEqual(bad.value, [0.8]);
    assert.equal(bad.phase, "Failed");
    // Two targets and a glob: one number per series, in Graphite's order.
    const both = await measure(metric("target=shop.bad.latency&target=shop.good.latency"));
    assert.deepEqual(both, { kind: "value", value: [0.8, 0.3] });
    const glob = await measure(metric("target=shop.{bad,good}.latency"));
    assert.deepEqual(glob, { kind: "value", value: [0.8, 0.3] });
  });

  test("Argo's multi-line target with functions, and a bare target, are asked as written", async () => {
    const query = `target=summarize(
      averageSeries(shop.{bad,good}.latency),
      '1min', 'max'
    )&from=-2min`;
    const out = await measure(metric(query));
    assert.equal(out.kind, "value");
    assert.ok(
      out.kind === "value" && Array.isArray(out.value) && out.value.length === 1,
      JSON.stringify(out),
    );
    const bare = await measure(metric("maxSeries(shop.*.latency)"));
    assert.deepEqual(bare, { kind: "value", value: [0.8] });
  });

  test("a series with no data in the window, or no such series, is no data: noData decides, never a pass", async () => {
    const idle = await verdict(metric("target=shop.idle.latency", { noData: "fail" }));
    assert.deepEqual(idle.value, [Number.NaN]);
    assert.equal(idle.phase, "Failed");
    assert.equal(idle.noData, true);
    const missing = await verdict(metric("target=shop.nothing.latency"));
    assert.deepEqual(missing.value, []);
    assert.equal(missing.phase, "Inconclusive");
    assert.match(missing.message ?? "", /no data/);
  });

  test("Graphite's error for a bad target is an Error naming it", async () => {
    const err = await rejection(measure(metric("target=nosuchFunction(shop.good.latency)")));
    assert.match(
      err.message,
      /^graphite answered HTTP 400: Invalid parameters \(Received request for unknown function: nosuchFunction\).*nosuchFunction\(shop\.good\.latency\)/,
    );
  });

  test("{{args.NAME}} is replaced inside its parameter, URL-encoded: an arg never adds a parameter", async () => {
    const m = metric("target=shop.{{args.variant}}.latency&from={{ args.window }}");
    assert.deepEqual(await measure(m, { variant: "good", window: "-10min" }), {
      kind: "value",
      value: [0.3],
    });
    // An & in the arg stays in the target: Graphite finds no such series, and format stays json.
    const sneaky = await measure(m, { variant: "good.latency&format=raw&x=", window: "-10min" });
    assert.deepEqual(sneaky, { kind: "value", value: [] });
    const p = renderParams("target=a.{{args.x}}", { x: "b&from=-1y" }, "p");
    assert.deepEqual(
      [...p],
      [
        ["target", "a.b&from=-1y"],
        ["from", "-5min"],
        ["format", "json"],
      ],
    );
    assert.match(p.toString(), /target=a\.b%26from%3D-1y&from=-5min&format=json/);
    const missing = await rejection(measure(m, { variant: "good" }));
    assert.match(missing.message, /\{\{args\.window\}\}: no arg "window" was given/);
  });

  test("a parameter other than target, from and until is refused naming it", async () => {
    const err = await rejection(measure(metric("target=shop.good.latency&format=raw")));
    assert.match(err.message, /provider\.graphite\.query: render parameter "format" is not accepted/);
  });

  test("the address policy applies to the address", async () => {
    const resolve: Resolve = async () => [{ address: "10.0.0.1", family: 4 }];
    const policy = webPolicy({ deny: ["graphite.internal"] });
    const m: Metric = {
      name: "m",
      provider: {
        graphite: { address: "http://graphite.internal:8080", query: "target=a" } satisfies GraphiteProvider,
      },
    };
    const denied = await rejection(graphiteProvider(policy, resolve).measure(measureContext(m)));
    assert.ok(denied instanceof RampError);
    assert.match(denied.message, /provider\.graphite\.address http:\/\/graphite\.internal:8080/);
    const meta: Metric = {
      name: "m",
      provider: { graphite: { address: "http://169.254.169.254", query: "target=a" } },
    };
    const metaErr = await rejection(graphiteProvider().measure(measureContext(meta)));
    assert.match(
      metaErr.message,
      /^WebAnalysisDenied: .*provider\.graphite\.address http:\/\/169\.254\.169\.254/,
    );
  });
});

test("a Graphite that does not answer in time, answers too much or an HTML error page is an Error saying so", async () => {
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/slow/")) return; // never answers
    if (req.url?.startsWith("/html/")) {
      res.writeHead(500, { "content-type": "text/html" });
      res.end("<html><body><h1>Server Error (500)</h1>\n<p>whisper: corrupt</p></body></html>");
    } else res.end(`[{"target":"x","datapoints":[[1,1]],"pad":"${"x".repeat(5 * 1024 * 1024)}"}]`);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const at = (address: string): Metric => ({ name: "m", provider: { graphite: { address, query: "x" } } });
  try {
    const slow = await rejection(
      graphiteProvider(undefined, undefined, 300).measure(measureContext(at(`${base}/slow`))),
    );
    assert.match(
      slow.message,
      /^graphite: GET http:\/\/127\.0\.0\.1:\d+\/slow\/render did not answer within 300 ms/,
    );
    const html = await rejection(graphiteProvider().measure(measureContext(at(`${base}/html`))));
    assert.equal(html.message, "graphite answered HTTP 500: Server Error (500) whisper: corrupt");
    const big = await rejection(graphiteProvider().measure(measureContext(at(base))));
    assert.match(big.message, /^graphite: GET .*\/render answered more than 4194304 bytes/);
  } finally {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  }
});

describe("graphite fields offline, as kubectl ramp lint checks them (the CRD's CEL rules)", () => {
  const findings = (graphite: object) =>
    celFindings("AnalysisTemplate", {
      apiVersion: "ramp.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "t" },
      spec: { metrics: [{ name: "m", provider: { graphite } }] },
    }).map((f) => f.message);
  const argo = "target=summarize(\n  asPercent(a.{{args.s}}.x, a.*.x),\n  '5min', 'avg'\n)&from=-10min";
  for (const [what, graphite] of [
    ["Argo's multi-line query", { address: "http://graphite:8080", query: argo }],
    ["a bare target", { address: "https://g.example/graphite/", query: "seriesByTag('name=x')" }],
    ["an address from an arg", { address: "{{args.graphite}}", query: "target=x&until=now" }],
  ] as const)
    test(`${what} is accepted`, () => assert.deepEqual(findings(graphite), []));
  for (const [what, graphite, message] of [
    ["no scheme", { address: "graphite:8080", query: "x" }, /http:\/\/ or https:\/\//],
    ["/render in the address", { address: "http://g/render/", query: "x" }, /leave \/render out/],
    [
      "format in the query",
      { address: "http://g", query: "target=x&format=csv" },
      /target, from and until only/,
    ],
    [
      "a parameter before target",
      { address: "http://g", query: "maxDataPoints=1&target=x" },
      /from and until only/,
    ],
  ] as const)
    test(`${what} is refused with the fix`, () => {
      const found = findings(graphite);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.match(found[0] ?? "", message);
    });
});
