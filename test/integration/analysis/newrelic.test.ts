// Contract test on the real control plane: AnalysisRuns with a newRelic metric, measured by the real
// controller against a local server that checks every request against NerdGraph's documented API
// (test/support/vendors/newrelic-contract.ts). A row under the threshold passes; an NRQL error ends the metric
// Error in New Relic's words; the key from the Secret never reaches status, Events or the log.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { ControllerProcess } from "../../../dev/controller.ts";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { applyObjects, createRun, secretObject, waitRunDone } from "../../support/e2e/runs.ts";
import { NewRelicContract, NR_ACCOUNT, NR_KEY, nr } from "../../support/vendors/newrelic-contract.ts";

describe("newRelic metrics on the real control plane (contract test)", () => {
  let f: Fixture;
  let api: NewRelicContract;
  let controller: ControllerProcess;
  before(async () => {
    api = await NewRelicContract.start();
    f = await Fixture.create("newrelic");
    const keys = { "personal-api-key": NR_KEY, "account-id": String(NR_ACCOUNT) };
    await applyObjects(f, [secretObject("newrelic", keys)]);
    controller = await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await api?.stop();
  });

  test("contract test: an NRQL row under the threshold passes; an NRQL error ends the metric Error in New Relic's words", async () => {
    const rate = "SELECT percentage(count(*), WHERE error) AS rate FROM Transaction WHERE appName = 'shop'";
    api.answer(rate, nr.rows([{ rate: 0.3 }]));
    api.answer(
      "SELECT oops",
      nr.nrqlError("NRQL Syntax Error: Error at line 1 position 8, unexpected 'oops'"),
    );
    const metric = (name: string, query: string, extra: object = {}) => ({
      name,
      ...extra,
      provider: { newRelic: { address: api.url, secretRef: { name: "newrelic" }, query } },
    });
    await createRun(f, "nr-pass", {
      args: [{ name: "app", value: "shop" }],
      metrics: [
        metric(
          "error-rate",
          "SELECT percentage(count(*), WHERE error) AS rate FROM Transaction WHERE appName = '{{args.app}}'",
          { successCondition: "result.rate < 1.0" },
        ),
      ],
    });
    await createRun(f, "nr-error", {
      metrics: [metric("broken", "SELECT oops", { successCondition: "true", consecutiveErrorLimit: 0 })],
    });
    const pass = await waitRunDone(f, "nr-pass");
    assert.equal(pass.status?.phase, "Successful", JSON.stringify(pass.status));
    assert.equal(pass.status?.metricResults?.[0]?.measurements?.[0]?.value, '{"rate":0.3}');
    const broken = await waitRunDone(f, "nr-error");
    assert.equal(broken.status?.phase, "Error", JSON.stringify(broken.status));
    assert.match(
      broken.status?.metricResults?.[0]?.measurements?.[0]?.message ?? "",
      /newRelic NerdGraph error: NRQL Syntax Error: Error at line 1 position 8/,
    );
    assert.deepEqual(api.violations, []);
    const events = await kubectl(["get", "events", "-n", f.namespace, "-o", "json"]);
    const log = await readFile(controller.logFile, "utf8");
    for (const [where, text] of [
      ["status", JSON.stringify([pass, broken])],
      ["Events", events.stdout],
      ["the controller's log", log],
    ] as const)
      assert.ok(!text.includes(NR_KEY), `the key is in ${where}`);
  });
});
