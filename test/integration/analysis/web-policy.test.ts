// Given a real controller, when a web metric points at the controller's own /metrics or /healthz, or at an
// address the operator denied ($RAMP_WEB_ANALYSIS_DENY), then the measurement is an Error naming the metric,
// the URL and the setting, and the rollout aborts, even with a broad --web-analysis-allow; an allowed
// endpoint still passes.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Fixture } from "../../support/e2e/fixture.ts";

/** A JSON endpoint on `host` (127.0.0.2 is loopback too on Linux: a second address for the deny entry). */
async function jsonServer(host: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}

describe("web analysis allow/deny", () => {
  let f: Fixture;
  let allowed: { server: Server; url: string };
  let denied: { server: Server; url: string };
  before(async () => {
    allowed = await jsonServer("127.0.0.1");
    denied = await jsonServer("127.0.0.2");
    f = await Fixture.create("web-policy");
    // A broad allow lifts neither the more specific deny nor the controller's own endpoints.
    await f.startController({
      args: ["--web-analysis-allow", "127.0.0.0/8"],
      env: { RAMP_WEB_ANALYSIS_DENY: "127.0.0.2/31" },
    });
  });
  after(async () => {
    await f?.cleanup();
    allowed?.server.close();
    denied?.server.close();
  });

  const ship = (name: string, url: string) =>
    f.shipAnalysisStep(name, {
      METRIC: "check",
      COUNT: "1",
      VERSION: "good",
      CONDITION: 'successCondition: "result == true"',
      PROVIDER: `web: {url: "${url}", jsonPath: "{$.ok}"}`,
    });

  /** Ships `name`, waits for the abort, and returns the first measurement's message. */
  const refused = async (name: string, url: string) => {
    await ship(name, url);
    const { abort, measurement } = await f.abortedOnError(name);
    assert.match(abort, /WebAnalysisDenied/, "the abort carries the reason");
    return measurement;
  };

  test("an allowed endpoint passes the step", async () => {
    await ship("allowed", `${allowed.url}/status.json`);
    await f.waitHealthy("allowed", 60_000);
    const run = await f.analysisRun((await f.analysisRuns("allowed"))[0] ?? "");
    assert.equal(run.status?.phase, "Successful");
  });

  test("the controller's own /metrics is refused, and cannot be allowed", async () => {
    const url = f.controllers[0]?.metricsUrl ?? "";
    const port = new URL(url).port;
    assert.equal(
      await refused("ownmetrics", url),
      `WebAnalysisDenied: metric check: http://127.0.0.1:${port}/metrics is refused by the controller's own metrics endpoint (127.0.0.1:${port}) "127.0.0.0/8"; the controller's own endpoints can never be analysed`,
    );
  });

  test("the controller's own /healthz, by another name for the address, is refused", async () => {
    const port = new URL(f.controllers[0]?.healthUrl ?? "").port;
    assert.match(
      await refused("ownhealth", `http://localhost:${port}/healthz`),
      /^WebAnalysisDenied: metric check: http:\/\/localhost:\d+\/healthz \(.+\) is refused by the controller's own health endpoint/,
    );
  });

  test("an operator's deny entry (a CIDR) refuses its addresses, naming the setting to change", async () => {
    assert.equal(
      await refused("deniedcidr", `${denied.url}/status.json`),
      `WebAnalysisDenied: metric check: ${denied.url}/status.json is refused by --web-analysis-deny "127.0.0.2/31"; the operator may allow it with --web-analysis-allow (Helm value analysis.web.allow)`,
    );
  });
});
