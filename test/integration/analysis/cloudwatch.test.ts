// Contract test on the real control plane: AnalysisRuns with a cloudWatch metric, measured by the real
// controller (the official AWS SDK client, credentials from its environment) against a local server that
// checks every request against CloudWatch's documented GetMetricData API and recomputes its SigV4 signature
// (test/support/vendors/cloudwatch-contract.ts). A ratio under its threshold passes; throttling ends the
// metric Error in AWS's words; the secret key never reaches status, Events or the log.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { ControllerProcess } from "../../../dev/controller.ts";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { createRun, waitRunDone } from "../../support/e2e/runs.ts";
import { AWS_CREDS, CloudWatchContract, CW_REGION, cw } from "../../support/vendors/cloudwatch-contract.ts";

describe("cloudWatch metrics on the real control plane (contract test)", () => {
  let f: Fixture;
  let pass: CloudWatchContract;
  let throttled: CloudWatchContract;
  let controller: ControllerProcess;
  before(async () => {
    pass = await CloudWatchContract.start();
    throttled = await CloudWatchContract.start();
    f = await Fixture.create("cloudwatch");
    controller = await f.startController({
      env: {
        AWS_ACCESS_KEY_ID: AWS_CREDS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: AWS_CREDS.secretAccessKey,
        AWS_REGION: CW_REGION,
      },
    });
  });
  after(async () => {
    await f?.cleanup();
    await pass?.stop();
    await throttled?.stop();
  });

  test("contract test: a signed GetMetricData whose ratio is under the threshold passes; throttling ends the metric Error in AWS's words", async () => {
    pass.answers = [cw.results([{ id: "ratio", values: [0.01, 0.02] }])];
    throttled.answers = [cw.error(400, "ThrottlingException", "Rate exceeded")];
    const metric = (name: string, address: string, extra: object = {}) => ({
      name,
      successCondition: "result[0].Values.all(v, v < 0.05)",
      ...extra,
      provider: {
        cloudWatch: {
          address,
          interval: "5m",
          metricDataQueries: [
            {
              id: "errors",
              returnData: false,
              metricStat: {
                metric: {
                  namespace: "AWS/ApplicationELB",
                  metricName: "HTTPCode_Target_5XX_Count",
                  dimensions: [{ name: "LoadBalancer", value: "{{args.lb}}" }],
                },
                period: 60,
                stat: "Sum",
              },
            },
            { id: "ratio", expression: "errors / 100" },
          ],
        },
      },
    });
    await createRun(f, "cw-pass", {
      args: [{ name: "lb", value: "app/shop/50dc6c495c0c9188" }],
      metrics: [metric("error-ratio", pass.url)],
    });
    await createRun(f, "cw-throttled", {
      args: [{ name: "lb", value: "app/shop/50dc6c495c0c9188" }],
      metrics: [metric("throttled", throttled.url, { consecutiveErrorLimit: 0 })],
    });
    const ok = await waitRunDone(f, "cw-pass");
    assert.equal(ok.status?.phase, "Successful", JSON.stringify(ok.status));
    const dims = pass.requests[0]?.queries[0]?.MetricStat?.Metric.Dimensions;
    assert.deepEqual(dims, [{ Name: "LoadBalancer", Value: "app/shop/50dc6c495c0c9188" }]);
    const bad = await waitRunDone(f, "cw-throttled");
    assert.equal(bad.status?.phase, "Error", JSON.stringify(bad.status));
    assert.match(
      bad.status?.metricResults?.[0]?.measurements?.[0]?.message ?? "",
      /cloudWatch Throttling\w* \(HTTP 400\): Rate exceeded/,
    );
    assert.deepEqual([...pass.violations, ...throttled.violations], []);
    const events = await kubectl(["get", "events", "-n", f.namespace, "-o", "json"]);
    const log = await readFile(controller.logFile, "utf8");
    for (const [where, text] of [
      ["status", JSON.stringify([ok, bad])],
      ["Events", events.stdout],
      ["the controller's log", log],
    ] as const)
      assert.ok(!text.includes(AWS_CREDS.secretAccessKey), `the secret key is in ${where}`);
  });
});
