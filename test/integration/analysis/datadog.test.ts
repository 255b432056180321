// Contract test on the real control plane: AnalysisRuns with a datadog metric, measured by the real
// controller against a local server that checks every request against Datadog's documented API
// (test/support/vendors/datadog-contract.ts). A v2 formula under its threshold passes; a rate-limited
// metric ends Error with Datadog's reason; the keys from the Secret never reach status, Events or the log.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { ControllerProcess } from "../../../dev/controller.ts";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { applyObjects, createRun, secretObject, waitRunDone } from "../../support/e2e/runs.ts";
import { DatadogContract, DD_API_KEY, DD_APP_KEY, dd } from "../../support/vendors/datadog-contract.ts";

describe("datadog metrics on the real control plane (contract test)", () => {
  let f: Fixture;
  let api: DatadogContract;
  let controller: ControllerProcess;
  before(async () => {
    api = await DatadogContract.start();
    f = await Fixture.create("datadog");
    await applyObjects(f, [secretObject("datadog", { "api-key": DD_API_KEY, "app-key": DD_APP_KEY })]);
    controller = await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await api?.stop();
  });

  const metric = (name: string, datadog: object, extra: object = {}) => ({
    name,
    successCondition: "result < 0.05",
    ...extra,
    provider: { datadog: { address: api.url, secretRef: { name: "datadog" }, ...datadog } },
  });

  test("contract test: a v2 formula over two queries under the threshold passes; a 429 ends the metric Error naming the rate limit", async () => {
    api.answer("errors / requests", dd.v2([0.01]));
    api.answer("limited", dd.rateLimited());
    await createRun(f, "dd-pass", {
      args: [{ name: "service", value: "shop" }],
      metrics: [
        metric("error-rate", {
          apiVersion: "v2",
          interval: "5m",
          queries: {
            errors: "sum:http.errors{service:{{args.service}}}.as_count()",
            requests: "sum:http.requests{service:{{args.service}}}.as_count()",
          },
          formula: "errors / requests",
        }),
      ],
    });
    await createRun(f, "dd-limited", {
      metrics: [metric("limited", { query: "limited" }, { consecutiveErrorLimit: 0 })],
    });
    const pass = await waitRunDone(f, "dd-pass");
    assert.equal(pass.status?.phase, "Successful", JSON.stringify(pass.status));
    assert.equal(pass.status?.metricResults?.[0]?.measurements?.[0]?.value, "0.01");
    assert.deepEqual(api.requests.find((r) => r.key === "errors / requests")?.queries, {
      errors: "sum:http.errors{service:shop}.as_count()",
      requests: "sum:http.requests{service:shop}.as_count()",
    });
    const limited = await waitRunDone(f, "dd-limited");
    assert.equal(limited.status?.phase, "Error", JSON.stringify(limited.status));
    assert.match(
      limited.status?.metricResults?.[0]?.measurements?.[0]?.message ?? "",
      /datadog rate limit \(HTTP 429, query_scalar_public\): retry in 17s/,
    );
    assert.deepEqual(api.violations, []);

    const events = await kubectl(["get", "events", "-n", f.namespace, "-o", "json"]);
    const log = await readFile(controller.logFile, "utf8");
    for (const [where, text] of [
      ["status", JSON.stringify([pass, limited])],
      ["Events", events.stdout],
      ["the controller's log", log],
    ] as const)
      for (const key of [DD_API_KEY, DD_APP_KEY]) assert.ok(!text.includes(key), `a key is in ${where}`);
  });
});
