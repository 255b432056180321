// Contract tests of SigV4 for the prometheus provider (Amazon Managed Service for Prometheus): every query is
// signed for service aps with the controller's AWS credentials (here from the environment, the standard
// chain's first link), and a local server recomputes each signature (test/support/vendors/amp-contract.ts).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { prometheusProvider } from "../../../src/analysis/providers/prometheus.ts";
import type { Metric } from "../../../src/api/index.ts";
import { measureContext } from "../../support/measure.ts";
import { AMP_REGION, AmpContract, AWS_CREDS } from "../../support/vendors/amp-contract.ts";

type Prom = NonNullable<Metric["provider"]["prometheus"]>;
const ctx = (prometheus: Prom, args: Record<string, string> = {}) => ({
  ...measureContext({ name: "error-rate", provider: { prometheus } }),
  args,
});
const ENV = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN"];

describe("prometheus authentication.sigv4 (contract tests)", () => {
  let amp: AmpContract;
  const saved: Record<string, string | undefined> = {};
  before(async () => {
    for (const k of ENV) saved[k] = process.env[k];
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_REGION;
    process.env.AWS_ACCESS_KEY_ID = AWS_CREDS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = AWS_CREDS.secretAccessKey;
    amp = await AmpContract.start();
  });
  after(async () => {
    await amp.stop();
    assert.deepEqual(amp.violations, [], "every request kept the documented contract");
    for (const k of ENV)
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });

  test("contract test: a query with spaces, quotes and args is signed for aps in the region and its signature verifies", async () => {
    amp.value = 0.02;
    const out = await prometheusProvider().measure(
      ctx(
        {
          address: amp.address,
          query: 'sum(rate(http_requests_total{job="{{args.job}}", code=~"5.."}[5m])) / 2',
          authentication: { sigv4: { region: AMP_REGION } },
        },
        { job: "shop (eu)" },
      ),
    );
    assert.deepEqual(out, { kind: "value", value: [0.02] });
    assert.equal(amp.queries.at(-1), 'sum(rate(http_requests_total{job="shop (eu)", code=~"5.."}[5m])) / 2');
  });

  test("contract test: the region comes from AWS_REGION when not set; a signature for another region is refused with AWS's 403, a 429 is an error", async () => {
    process.env.AWS_REGION = AMP_REGION;
    try {
      const out = await prometheusProvider().measure(
        ctx({ address: amp.address, query: "up", authentication: { sigv4: {} } }),
      );
      assert.equal(out.kind, "value");
    } finally {
      delete process.env.AWS_REGION;
    }
    const other = await prometheusProvider()
      .measure(ctx({ address: amp.address, query: "up", authentication: { sigv4: { region: "eu-west-1" } } }))
      .then(
        () => "",
        (e: Error) => e.message,
      );
    assert.match(other, /prometheus answered HTTP 403/);
    // The server saw a signature for another region: the deliberate mistake, not ramp's.
    assert.deepEqual(amp.violations.splice(0), ["signed for aps in eu-west-1"]);
    amp.value = "throttle";
    const limited = await prometheusProvider()
      .measure(ctx({ address: amp.address, query: "up", authentication: { sigv4: { region: AMP_REGION } } }))
      .then(
        () => "",
        (e: Error) => e.message,
      );
    assert.match(limited, /prometheus answered HTTP 429/);
    amp.value = 0.01;
    const none = await prometheusProvider()
      .measure(ctx({ address: amp.address, query: "up", authentication: { sigv4: {} } }))
      .then(
        () => "",
        (e: Error) => e.message,
      );
    assert.match(none, /authentication\.sigv4\.region: no region: set it, or AWS_REGION/);
  });
});
