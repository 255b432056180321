// The prometheus provider under the analysis address policy: the decision for Prometheus-like addresses,
// then the provider against a local stand-in (refusals name the field and the fix; ordinary addresses work).
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Resolve } from "../../../src/analysis/providers/guarded-http.ts";
import { prometheusProvider } from "../../../src/analysis/providers/prometheus.ts";
import {
  controllerWebPolicy,
  ownEndpointRules,
  refusedBy,
  type WebPolicy,
  webPolicy,
} from "../../../src/analysis/providers/web-policy.ts";
import type { Metric } from "../../../src/api/index.ts";
import { RampError } from "../../../src/errors.ts";
import { startHttpServer } from "../../../src/observability/http.ts";
import { measureContext } from "../../support/measure.ts";

type Prom = NonNullable<Metric["provider"]["prometheus"]>;
const ctx = (prometheus: Prom) => measureContext({ name: "error-rate", provider: { prometheus } }, 1);
const FIELD = "spec.metrics[1].provider.prometheus.address";
const ALLOW_FIX = "the operator may allow it with --web-analysis-allow (Helm value analysis.web.allow)";

/** The rejection of `p`, or undefined when it resolved. */
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("the policy decision for Prometheus addresses", () => {
  // As the chart runs the controller: metrics and health bound to all interfaces.
  const policy = (allow: string[] = []) =>
    controllerWebPolicy({
      webAnalysisAllow: allow,
      webAnalysisDeny: [],
      metricsAddr: ":8080",
      healthAddr: ":8081",
    });
  const judge = (p: WebPolicy, host: string, address: string | undefined, port: number) =>
    refusedBy(p, host, address, port)?.entry ?? "allowed";
  const rows: [string, string[], string, string | undefined, number, string][] = [
    ["an in-cluster Service", [], "prometheus.monitoring", "10.96.0.10", 9090, "allowed"],
    ["Prometheus on loopback, another port", [], "127.0.0.1", "127.0.0.1", 9090, "allowed"],
    ["the cloud metadata IP", [], "169.254.169.254", "169.254.169.254", 80, "169.254.0.0/16"],
    ["a name that resolves to it", [], "metadata", "169.254.169.254", 80, "169.254.0.0/16"],
    [
      "the GCP metadata name (unresolved)",
      [],
      "metadata.google.internal",
      undefined,
      80,
      "metadata.google.internal",
    ],
    ["the controller's own metrics port", [], "127.0.0.1", "127.0.0.1", 8080, "127.0.0.0/8"],
    ["its own health port, by name", [], "localhost", "::1", 8081, "::1"],
    [
      "its own port, despite an allow",
      ["127.0.0.0/8", "127.0.0.1:8080"],
      "127.0.0.1",
      "127.0.0.1",
      8080,
      "127.0.0.0/8",
    ],
    [
      "a metadata address the operator allowed",
      ["169.254.170.2"],
      "169.254.170.2",
      "169.254.170.2",
      80,
      "allowed",
    ],
    [
      "a neighbour of the allowed one",
      ["169.254.170.2"],
      "169.254.170.3",
      "169.254.170.3",
      80,
      "169.254.0.0/16",
    ],
  ];
  for (const [what, allow, host, address, port, want] of rows) {
    test(`${what}: ${want}`, () => assert.equal(judge(policy(allow), host, address, port), want));
  }
});

describe("prometheus provider and the address policy", () => {
  let prom: { server: Server; url: string; port: string; seen: IncomingHttpHeaders[] };
  let other: { server: Server; url: string; seen: IncomingHttpHeaders[] };
  const vector = JSON.stringify({
    status: "success",
    data: { resultType: "vector", result: [{ metric: {}, value: [1, "0.5"] }] },
  });
  async function listen(handler: (path: string) => [number, Record<string, string>, string]) {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      const [status, headers, body] = handler(req.url ?? "/");
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = String((server.address() as AddressInfo).port);
    return { server, url: `http://127.0.0.1:${port}`, port, seen };
  }
  before(async () => {
    other = await listen(() => [200, {}, vector]);
    prom = await listen((path) => {
      if (path.startsWith("/to-metadata/")) return [302, { location: "http://169.254.169.254/latest/" }, ""];
      if (path.startsWith("/to-other/")) return [307, { location: `${other.url}/api/v1/query` }, ""];
      if (path.startsWith("/moved/")) return [301, { location: path.replace("/moved/", "/") }, ""];
      return [200, {}, vector];
    });
  });
  after(() => {
    prom.server.close();
    other.server.close();
  });
  const query = (address: string, extra: Partial<Prom> = {}): Prom => ({ address, query: "up", ...extra });

  test("an ordinary address is queried, carrying the marker header", async () => {
    const out = await prometheusProvider().measure(ctx(query(prom.url)));
    assert.deepEqual(out, { kind: "value", value: [0.5] });
    assert.equal(prom.seen.at(-1)?.["ramp-web-analysis"], "1");
  });

  test("an in-cluster name is resolved once and connected to at the checked address", async () => {
    const answers = ["127.0.0.1", "169.254.169.254"];
    const resolve: Resolve = async () => [{ address: answers.shift() ?? "169.254.169.254", family: 4 }];
    const out = await prometheusProvider(webPolicy({}), resolve).measure(
      ctx(query(`http://prometheus.monitoring:${prom.port}`)),
    );
    assert.deepEqual(out, { kind: "value", value: [0.5] });
    assert.deepEqual(answers, ["169.254.169.254"], "resolved once");
  });

  test("the cloud metadata address is an Error naming the field, the entry and the fix (no credentials)", async () => {
    const err = await rejection(
      prometheusProvider().measure(ctx(query("http://user:pa55@169.254.169.254/"))),
    );
    assert.ok(err instanceof RampError);
    assert.equal(err.code, "WebAnalysisDenied");
    assert.equal(
      err.message,
      `WebAnalysisDenied: metric error-rate: ${FIELD} http://169.254.169.254/ is refused by the default web-analysis deny entry "169.254.0.0/16"; ${ALLOW_FIX}`,
    );
  });

  test("the controller's own endpoint is refused, and no allow entry lifts it", async () => {
    const own = await startHttpServer({ addr: "127.0.0.1:0", routes: { healthz: {} } });
    try {
      const policy = webPolicy({
        allow: ["127.0.0.0/8", `127.0.0.1:${own.port}`],
        own: ownEndpointRules(`127.0.0.1:${own.port}`, "metrics", []),
      });
      const err = await rejection(
        prometheusProvider(policy).measure(ctx(query(`http://localhost:${own.port}`))),
      );
      assert.ok(err instanceof RampError, String(err));
      assert.match(
        err.message,
        new RegExp(
          `^WebAnalysisDenied: metric error-rate: ${FIELD.replace(/[[\].]/g, "\\$&")} http://localhost:${own.port} \\((127\\.0\\.0\\.1|::1)\\) is refused by the controller's own metrics endpoint \\(127\\.0\\.0\\.1:${own.port}\\) "(127\\.0\\.0\\.0/8|::1)"; the controller's own endpoints can never be analysed$`,
        ),
      );
      // A policy that does not know it: the marker header still makes the controller's server refuse (403).
      await assert.rejects(
        prometheusProvider().measure(ctx(query(`http://127.0.0.1:${own.port}`))),
        /^Error: prometheus answered HTTP 403 Forbidden: the address refused the metric's credentials/,
      );
    } finally {
      await own.close();
    }
  });

  test("an operator's deny entry refuses an address; a more specific allow entry lifts it", async () => {
    const denied = webPolicy({ deny: ["127.0.0.0/8"] });
    const err = await rejection(prometheusProvider(denied).measure(ctx(query(prom.url))));
    assert.ok(err instanceof RampError);
    assert.equal(
      err.message,
      `WebAnalysisDenied: metric error-rate: ${FIELD} ${prom.url} is refused by --web-analysis-deny "127.0.0.0/8"; ${ALLOW_FIX}`,
    );
    const lifted = webPolicy({ deny: ["127.0.0.0/8"], allow: [`127.0.0.1:${prom.port}`] });
    assert.deepEqual(await prometheusProvider(lifted).measure(ctx(query(prom.url))), {
      kind: "value",
      value: [0.5],
    });
  });

  test("a redirect is followed; one to a denied address is refused before anything connects to it", async () => {
    const moved = await prometheusProvider().measure(ctx(query(`${prom.url}/moved`)));
    assert.deepEqual(moved, { kind: "value", value: [0.5] });
    const err = await rejection(prometheusProvider().measure(ctx(query(`${prom.url}/to-metadata`))));
    assert.ok(err instanceof RampError);
    assert.equal(
      err.message,
      `WebAnalysisDenied: metric error-rate: ${FIELD} ${prom.url}/to-metadata: its redirect to http://169.254.169.254/latest/ is refused by the default web-analysis deny entry "169.254.0.0/16"; ${ALLOW_FIX}`,
    );
  });

  test("a redirect to another origin carries neither the credentials nor the metric's headers", async () => {
    const before = other.seen.length;
    const out = await prometheusProvider().measure(
      ctx(
        query(`${prom.url}/to-other`, {
          headers: [{ key: "X-Scope-OrgID", value: "tenant" }],
          authentication: { basic: { username: "u", passwordSecretKeyRef: { name: "p", key: "k" } } },
        }),
      ),
    );
    assert.deepEqual(out, { kind: "value", value: [0.5] });
    const first = prom.seen.at(-1);
    assert.equal(first?.["x-scope-orgid"], "tenant");
    assert.match(first?.authorization ?? "", /^Basic /);
    const seen = other.seen[before];
    assert.equal(seen?.authorization, undefined);
    assert.equal(seen?.["x-scope-orgid"], undefined);
    assert.equal(seen?.["ramp-web-analysis"], "1");
  });
});
