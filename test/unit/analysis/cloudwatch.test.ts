// Contract tests of the cloudWatch provider: the official AWS SDK v3 client, credentials from the environment
// (the standard chain's first link), against a local server that checks every request against CloudWatch's
// documented GetMetricData API and recomputes its SigV4 signature (test/support/vendors/cloudwatch-contract.ts).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assessMeasurement } from "../../../src/analysis/assess.ts";
import { cloudWatchProvider } from "../../../src/analysis/providers/cloudwatch.ts";
import type { Resolve } from "../../../src/analysis/providers/guarded-http.ts";
import { webPolicy } from "../../../src/analysis/providers/web-policy.ts";
import type { CloudWatchProvider, Metric } from "../../../src/api/index.ts";
import { RampError } from "../../../src/errors.ts";
import { measureContext } from "../../support/measure.ts";
import { AWS_CREDS, CloudWatchContract, CW_REGION, cw } from "../../support/vendors/cloudwatch-contract.ts";

const NOW = 1_800_000_000_000;
const ctx = (cloudWatch: CloudWatchProvider, args: Record<string, string> = {}) => ({
  ...measureContext({ name: "errors", provider: { cloudWatch } } as Metric),
  args,
});
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail("expected an error"),
    (e: unknown) => e as Error,
  );
const ENV = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN"];

describe("cloudWatch provider (contract tests)", () => {
  let api: CloudWatchContract;
  const saved: Record<string, string | undefined> = {};
  const provider = () => cloudWatchProvider(webPolicy({}), undefined, () => NOW);
  const at = (extra: Partial<CloudWatchProvider>): CloudWatchProvider => ({
    address: api.url,
    region: CW_REGION,
    metricDataQueries: [{ id: "e", expression: "SUM(x)" }],
    ...extra,
  });
  before(async () => {
    for (const k of ENV) saved[k] = process.env[k];
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_REGION;
    process.env.AWS_ACCESS_KEY_ID = AWS_CREDS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = AWS_CREDS.secretAccessKey;
    api = await CloudWatchContract.start();
  });
  after(async () => {
    await api.stop();
    assert.deepEqual(api.violations, [], "every request kept CloudWatch's documented contract");
    for (const k of ENV)
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });

  test("contract test: GetMetricData signed with SigV4 (recomputed), Argo's queries in CloudWatch's shape, args replaced; the results are the value", async () => {
    api.answers = [
      cw.results([
        { id: "errors", values: [3, 1] },
        { id: "ratio", values: [0.02] },
      ]),
    ];
    const spec = at({
      interval: "10m",
      metricDataQueries: [
        {
          id: "errors",
          label: "5xx",
          returnData: false,
          metricStat: {
            metric: {
              namespace: "AWS/ApplicationELB",
              metricName: "HTTPCode_Target_5XX_Count",
              dimensions: [{ name: "TargetGroup", value: "targetgroup/{{args.tg}}" }],
            },
            period: "1m",
            stat: "Sum",
            unit: "Count",
          },
        },
        { id: "ratio", expression: "errors / {{args.total}}", period: 300 },
      ],
    });
    const out = await provider().measure(ctx(spec, { tg: "shop/73e2", total: "100" }));
    const req = api.requests.at(-1);
    assert.deepEqual(req?.queries, [
      {
        Id: "errors",
        Label: "5xx",
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: "AWS/ApplicationELB",
            MetricName: "HTTPCode_Target_5XX_Count",
            Dimensions: [{ Name: "TargetGroup", Value: "targetgroup/shop/73e2" }],
          },
          Period: 60,
          Stat: "Sum",
          Unit: "Count",
        },
      },
      { Id: "ratio", Expression: "errors / 100", Period: 300 },
    ]);
    assert.equal(req?.end, NOW / 1000);
    assert.equal((req?.end ?? 0) - (req?.start ?? 0), 600, "interval 10m is the window");
    assert.equal(out.kind, "value");
    const value = (out.kind === "value" ? out.value : []) as { Id: string; Values: number[] }[];
    assert.deepEqual(
      value.map((r) => [r.Id, r.Values]),
      [
        ["errors", [3, 1]],
        ["ratio", [0.02]],
      ],
    );
  });

  test("contract test: NextToken pages are followed and each query's values joined", async () => {
    api.answers = [cw.results([{ id: "e", values: [1] }], "page-2"), cw.results([{ id: "e", values: [2] }])];
    const before = api.requests.length;
    const out = await provider().measure(ctx(at({})));
    assert.equal(api.requests.length - before, 2);
    assert.equal(api.requests.at(-1)?.nextToken, "page-2");
    const value = (out.kind === "value" ? out.value : []) as { Values: number[] }[];
    assert.deepEqual(value[0]?.Values, [1, 2]);
  });

  test("contract test: results without a value are no data, never a pass", async () => {
    api.answers = [cw.results([{ id: "e", values: [] }])];
    const out = await provider().measure(ctx(at({})));
    const metric: Metric = { name: "m", successCondition: "true", provider: { cloudWatch: at({}) } };
    const verdict = await assessMeasurement(metric, out.kind === "value" ? out.value : 0, async () => true);
    assert.equal(verdict.phase, "Inconclusive");
    assert.equal(verdict.noData, true);
  });

  test("contract test: InvalidParameterValue, ThrottlingException and a wrong secret key are Error measurements in AWS's words, no secret in them", async () => {
    api.answers = [
      cw.error(
        400,
        "InvalidParameterValueException",
        "The value SUM( for parameter Expression is not valid.",
      ),
    ];
    const bad = await rejection(provider().measure(ctx(at({}))));
    assert.match(
      bad.message,
      /^cloudWatch \S+ \(HTTP 400\): The value SUM\( for parameter Expression is not valid\.$/,
    );
    api.answers = [cw.error(400, "ThrottlingException", "Rate exceeded")];
    const throttled = await rejection(provider().measure(ctx(at({}))));
    assert.match(
      throttled.message,
      /^cloudWatch Throttling\w* \(HTTP 400\): Rate exceeded: measure less often/,
    );
    process.env.AWS_SECRET_ACCESS_KEY = "not-the-secret-0123456789";
    try {
      const wrong = await rejection(provider().measure(ctx(at({}))));
      assert.match(wrong.message, /^cloudWatch SignatureDoesNotMatch \(HTTP 403\)/);
      assert.doesNotMatch(wrong.message, /not-the-secret|ramp\/contract/);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = AWS_CREDS.secretAccessKey;
    }
  });

  test("region picks CloudWatch's regional endpoint, and the address policy applies to it and to address", async () => {
    const resolve: Resolve = async () => [{ address: "10.0.0.1", family: 4 }];
    const policy = webPolicy({ deny: ["monitoring.eu-central-1.amazonaws.com"] });
    const spec = { region: "eu-central-1", metricDataQueries: [{ id: "e", expression: "SUM(x)" }] };
    const regional = await rejection(cloudWatchProvider(policy, resolve).measure(ctx(spec)));
    assert.ok(regional instanceof RampError, String(regional));
    assert.match(
      regional.message,
      /provider\.cloudWatch\.region eu-central-1 \(https:\/\/monitoring\.eu-central-1\.amazonaws\.com\)/,
    );
    const meta = await rejection(provider().measure(ctx(at({ address: "http://169.254.169.254" }))));
    assert.match(
      meta.message,
      /^WebAnalysisDenied: .*provider\.cloudWatch\.address http:\/\/169\.254\.169\.254/,
    );
    const { region: _r, ...noRegion } = at({});
    const none = await rejection(provider().measure(ctx(noRegion)));
    assert.match(none.message, /cloudWatch\.region: no region: set it, or AWS_REGION/);
  });
});
