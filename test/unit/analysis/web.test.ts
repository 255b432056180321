// The web provider against local servers: the policy on every hop, redirects, headers, the marker header.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { webProvider } from "../../../src/analysis/providers/web.ts";
import { ownEndpointRules, webPolicy } from "../../../src/analysis/providers/web-policy.ts";
import type { Metric } from "../../../src/api/index.ts";
import { RampError } from "../../../src/errors.ts";
import { startHttpServer } from "../../../src/observability/http.ts";
import { measureContext } from "../../support/measure.ts";

type Web = NonNullable<Metric["provider"]["web"]>;
const ctx = (web: Web) => measureContext({ name: "probe", provider: { web } });

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("web provider", () => {
  let app: { server: Server; url: string };
  let other: { server: Server; url: string };
  before(async () => {
    other = await listen((req, res) => res.end(JSON.stringify({ headers: req.headers })));
    app = await listen((req, res) => {
      const path = req.url ?? "/";
      const redirect = (status: number, location: string) => {
        res.writeHead(status, { location });
        res.end();
      };
      if (path === "/ok") res.end(JSON.stringify({ ok: true, method: req.method, headers: req.headers }));
      else if (path === "/to-ok") redirect(302, "/ok");
      else if (path === "/see-other") redirect(303, "/ok");
      else if (path === "/to-metadata") redirect(302, "http://169.254.169.254/latest/meta-data/");
      else if (path === "/to-other") redirect(307, `${other.url}/`);
      else if (path === "/loop") redirect(302, "/loop");
      else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  after(() => {
    app.server.close();
    other.server.close();
  });

  test("a cloud metadata URL is an Error naming the metric, the URL, the entry and the setting", async () => {
    const err = await webProvider()
      .measure(ctx({ url: "http://169.254.169.254/latest/meta-data/iam" }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof RampError);
    assert.equal(err.code, "WebAnalysisDenied");
    assert.match(
      err.message,
      /^WebAnalysisDenied: metric probe: http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam is refused by the default web-analysis deny entry "169\.254\.0\.0\/16"; the operator may allow it with --web-analysis-allow \(Helm value analysis\.web\.allow\)$/,
    );
  });

  test("a name that does not resolve is still refused when its name is denied", async () => {
    await assert.rejects(
      webProvider().measure(ctx({ url: "http://metadata.google.internal/computeMetadata/v1/" })),
      /refused by the default web-analysis deny entry "metadata.google.internal"/,
    );
  });

  test("every address a name resolves to is checked (localhost: 127.0.0.1 and ::1)", async () => {
    const port = new URL(app.url).port;
    const policy = webPolicy({ deny: ["::1", "127.0.0.1"] });
    await assert.rejects(
      webProvider(policy).measure(ctx({ url: `http://localhost:${port}/ok` })),
      /http:\/\/localhost:\d+\/ok \((127\.0\.0\.1|::1)\) is refused by --web-analysis-deny/,
    );
  });

  test("it connects to the address it checked, never to a second DNS answer (DNS rebinding)", async () => {
    const answers = ["127.0.0.1", "169.254.169.254"];
    const resolve = async () => [{ address: answers.shift() ?? "169.254.169.254", family: 4 as const }];
    const port = new URL(app.url).port;
    const out = await webProvider(webPolicy({}), resolve).measure(
      ctx({ url: `http://rebind.invalid:${port}/ok`, jsonPath: "{$.ok}" }),
    );
    assert.deepEqual(out, { kind: "value", value: true });
    assert.deepEqual(answers, ["169.254.169.254"], "resolved once");
  });

  test("a same-origin redirect is followed; a 303 turns a POST into a GET", async () => {
    const out = await webProvider().measure(ctx({ url: `${app.url}/to-ok`, jsonPath: "{$.ok}" }));
    assert.deepEqual(out, { kind: "value", value: true });
    const post = await webProvider().measure(
      ctx({ url: `${app.url}/see-other`, method: "POST", body: "{}", jsonPath: "{$.method}" }),
    );
    assert.deepEqual(post, { kind: "value", value: "GET" });
  });

  test("a redirect to a denied address is refused before anything connects to it", async () => {
    await assert.rejects(
      webProvider().measure(ctx({ url: `${app.url}/to-metadata` })),
      /WebAnalysisDenied: metric probe: http:\/\/169\.254\.169\.254\/latest\/meta-data\/ is refused/,
    );
  });

  test("a redirect to another origin drops the metric's headers (they may hold Secret values)", async () => {
    const web: Web = {
      url: `${app.url}/to-other`,
      headers: [{ key: "Authorization", valueFrom: { secretKeyRef: { name: "t", key: "k" } } }],
      jsonPath: "{$.headers}",
    };
    const out = await webProvider().measure(ctx(web));
    const headers = (out as { value: Record<string, string> }).value;
    assert.equal(headers.authorization, undefined);
    assert.equal(headers["ramp-web-analysis"], "1");
  });

  test("{{args.NAME}} in a header value is replaced, as in the URL and body", async () => {
    const web: Web = {
      url: `${app.url}/{{args.path}}`,
      headers: [{ key: "X-Tenant", value: "team-{{args.team}}" }],
      jsonPath: "{$.headers}",
    };
    const c = { ...ctx(web), args: { path: "ok", team: "payments" } };
    const out = (await webProvider().measure(c)) as { value: Record<string, string> };
    assert.equal(out.value["x-tenant"], "team-payments");
  });

  test("redirects are bounded", async () => {
    await assert.rejects(webProvider().measure(ctx({ url: `${app.url}/loop` })), /more than 5 redirects/);
  });

  test("the marker header is always sent, whatever the metric's headers say", async () => {
    const web: Web = {
      url: `${app.url}/ok`,
      headers: [{ key: "RAMP-Web-Analysis", value: "" }],
      jsonPath: "{$.headers}",
    };
    const out = (await webProvider().measure(ctx(web))) as { value: Record<string, string> };
    assert.equal(out.value["ramp-web-analysis"], "1");
  });

  test("the controller's HTTP server refuses marked requests (a Service in front of it, the other replica)", async () => {
    const own = await startHttpServer({ addr: "127.0.0.1:0", routes: { healthz: {} } });
    try {
      // A policy that does not know this server: only the marker stops the call.
      await assert.rejects(
        webProvider().measure(ctx({ url: `http://127.0.0.1:${own.port}/healthz` })),
        /answered 403/,
      );
      assert.equal((await fetch(`http://127.0.0.1:${own.port}/healthz`)).status, 200, "probes still work");
      const policy = webPolicy({ own: ownEndpointRules(`127.0.0.1:${own.port}`, "health", []) });
      await assert.rejects(
        webProvider(policy).measure(ctx({ url: `http://localhost:${own.port}/healthz` })),
        /is refused by the controller's own health endpoint \(127\.0\.0\.1:\d+\) "127\.0\.0\.0\/8"; the controller's own endpoints can never be analysed/,
      );
    } finally {
      await own.close();
    }
  });

  test("only http and https", async () => {
    await assert.rejects(
      webProvider().measure(ctx({ url: "data:application/json,{}" })),
      /data: URLs are not supported/,
    );
  });
});
