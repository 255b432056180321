// Contract test on the real control plane: a prometheus metric with authentication.sigv4, measured by the
// real controller (AWS credentials in its environment) against a local stand-in for Amazon Managed Service
// for Prometheus that recomputes every request's SigV4 signature (test/support/vendors/amp-contract.ts).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { ControllerProcess } from "../../../dev/controller.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { createRun, waitRunDone } from "../../support/e2e/runs.ts";
import { AMP_REGION, AmpContract, AWS_CREDS } from "../../support/vendors/amp-contract.ts";

describe("prometheus sigv4 on the real control plane (contract test)", () => {
  let f: Fixture;
  let amp: AmpContract;
  let controller: ControllerProcess;
  before(async () => {
    amp = await AmpContract.start();
    f = await Fixture.create("sigv4");
    controller = await f.startController({
      env: { AWS_ACCESS_KEY_ID: AWS_CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: AWS_CREDS.secretAccessKey },
    });
  });
  after(async () => {
    await f?.cleanup();
    await amp?.stop();
  });

  test("contract test: a signed query to an Amazon Managed Prometheus workspace passes its threshold; unsigned, the same metric ends Error", async () => {
    amp.value = 0.01;
    const metric = (name: string, auth: object) => ({
      name,
      successCondition: "result[0] < 0.05",
      consecutiveErrorLimit: 0,
      provider: {
        prometheus: {
          address: amp.address,
          query: 'sum(rate(http_requests_total{job="{{args.job}}",code=~"5.."}[5m]))',
          ...auth,
        },
      },
    });
    const args = [{ name: "job", value: "shop" }];
    await createRun(f, "amp-signed", {
      args,
      metrics: [metric("signed", { authentication: { sigv4: { region: AMP_REGION } } })],
    });
    await createRun(f, "amp-unsigned", { args, metrics: [metric("unsigned", {})] });
    const signed = await waitRunDone(f, "amp-signed");
    assert.equal(signed.status?.phase, "Successful", JSON.stringify(signed.status));
    assert.equal(amp.queries[0], 'sum(rate(http_requests_total{job="shop",code=~"5.."}[5m]))');
    const unsigned = await waitRunDone(f, "amp-unsigned");
    assert.equal(unsigned.status?.phase, "Error", JSON.stringify(unsigned.status));
    assert.deepEqual(amp.violations, ["Authorization is not AWS4-HMAC-SHA256"]);
    const log = await readFile(controller.logFile, "utf8");
    assert.ok(!log.includes(AWS_CREDS.secretAccessKey), "the secret key is in the controller's log");
  });
});
