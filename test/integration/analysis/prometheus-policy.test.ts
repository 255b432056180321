// Given a real controller and a real Prometheus, when a Prometheus metric's address is the controller's own
// metrics port, or a name the operator denied ($RAMP_WEB_ANALYSIS_DENY), then the measurement is an Error
// naming the field spec.metrics[0].provider.prometheus.address and the fix, and the rollout aborts; the same
// Prometheus at an ordinary address still passes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const FIELD = "spec.metrics[0].provider.prometheus.address";

describe("prometheus analysis allow/deny", () => {
  let f: Fixture;
  let prom: PrometheusHandle;
  before(async () => {
    prom = await startPrometheus({ scrapeConfigs: [] });
    f = await Fixture.create("prom-policy");
    await f.startController({ env: { RAMP_WEB_ANALYSIS_DENY: "localhost" } });
  });
  after(async () => {
    await f?.cleanup();
    await prom?.stop();
  });

  const ship = (name: string, address: string) =>
    f.shipAnalysisStep(name, {
      METRIC: "check",
      COUNT: "1",
      VERSION: "good",
      CONDITION: 'successCondition: "result[0] == 1"',
      PROVIDER: `prometheus: {address: "${address}", timeout: 2s, query: "vector(1)"}`,
    });

  /** Ships `name`, waits for the abort, checks it carries the code and field, returns the measurement's message. */
  const refused = async (name: string, address: string) => {
    await ship(name, address);
    const { abort, measurement } = await f.abortedOnError(name);
    assert.ok(abort.includes(`WebAnalysisDenied: metric check: ${FIELD}`), abort);
    return measurement;
  };

  test("an ordinary Prometheus address passes the step", async () => {
    await ship("ordinary", prom.url);
    await f.waitHealthy("ordinary", 60_000);
    const run = await f.analysisRun((await f.analysisRuns("ordinary"))[0] ?? "");
    assert.equal(run.status?.phase, "Successful");
  });

  test("the controller's own metrics port as the address is refused, and cannot be allowed", async () => {
    const port = new URL(f.controllers[0]?.metricsUrl ?? "").port;
    assert.equal(
      await refused("ownmetrics", `http://127.0.0.1:${port}`),
      `WebAnalysisDenied: metric check: ${FIELD} http://127.0.0.1:${port} is refused by the controller's own metrics endpoint (127.0.0.1:${port}) "127.0.0.0/8"; the controller's own endpoints can never be analysed`,
    );
  });

  test("the same Prometheus by a name the operator denied is refused, naming the setting to change", async () => {
    const address = `http://localhost:${prom.port}`;
    const message = await refused("deniedname", address);
    const at = /^WebAnalysisDenied: metric check: (.+) \((127\.0\.0\.1|::1)\) is refused by (.+)$/.exec(
      message,
    );
    assert.ok(at, message);
    assert.equal(at[1], `${FIELD} ${address}`);
    assert.equal(
      at[3],
      `--web-analysis-deny "localhost"; the operator may allow it with --web-analysis-allow (Helm value analysis.web.allow)`,
    );
  });
});
