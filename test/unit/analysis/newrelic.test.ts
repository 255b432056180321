// Contract tests of the newRelic provider: a local server checks every request against NerdGraph's
// documented API (test/support/vendors/newrelic-contract.ts) and answers with its documented shapes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { assessMeasurement } from "../../../src/analysis/assess.ts";
import type { Resolve } from "../../../src/analysis/providers/guarded-http.ts";
import { newRelicProvider } from "../../../src/analysis/providers/newrelic.ts";
import { webPolicy } from "../../../src/analysis/providers/web-policy.ts";
import type { Metric, NewRelicProvider } from "../../../src/api/index.ts";
import { RampError } from "../../../src/errors.ts";
import { measureContext } from "../../support/measure.ts";
import { NewRelicContract, NR_ACCOUNT, NR_KEY, nr } from "../../support/vendors/newrelic-contract.ts";

const KEYS = { "personal-api-key": NR_KEY, "account-id": String(NR_ACCOUNT) };

function ctx(
  newRelic: NewRelicProvider,
  args: Record<string, string> = {},
  keys: Record<string, string> = KEYS,
) {
  const metric: Metric = { name: "errors", provider: { newRelic } };
  return {
    ...measureContext(metric),
    args,
    secret: async (_name: string, key: string) => keys[key] ?? assert.fail(`no key ${key}`),
  };
}
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail("expected an error"),
    (e: unknown) => e as Error,
  );

describe("newRelic provider (contract tests)", () => {
  let api: NewRelicContract;
  const at = (query: string): NewRelicProvider => ({ address: api.url, secretRef: { name: "nr" }, query });
  before(async () => {
    api = await NewRelicContract.start();
  });
  after(async () => {
    await api.stop();
    assert.deepEqual(api.violations, [], "every request kept NerdGraph's documented contract");
  });

  test("contract test: NRQL through NerdGraph with API-Key and the account; args escaped; one row is an object, several a list", async () => {
    const sent = "SELECT percentage(count(*), WHERE error) AS rate FROM Transaction WHERE appName = 'it\\'s'";
    api.answer(sent, nr.rows([{ rate: 0.4 }]));
    const one = await newRelicProvider().measure(
      ctx(
        at(
          "SELECT percentage(count(*), WHERE error) AS rate FROM Transaction WHERE appName = '{{args.app}}'",
        ),
        {
          app: "it's",
        },
      ),
    );
    assert.deepEqual(one, { kind: "value", value: { rate: 0.4 } });
    api.answer(
      "FACET",
      nr.rows([
        { facet: "a", rate: 1 },
        { facet: "b", rate: 2 },
      ]),
    );
    const many = await newRelicProvider().measure(ctx(at("FACET")));
    assert.deepEqual(many, {
      kind: "value",
      value: [
        { facet: "a", rate: 1 },
        { facet: "b", rate: 2 },
      ],
    });
  });

  test("contract test: no rows, or a row of nulls, is no data, never a pass", async () => {
    api.answer("none", nr.rows([]));
    api.answer("nulls", nr.rows([{ "average.duration": null }]));
    const metric: Metric = { name: "m", successCondition: "true", provider: { newRelic: at("x") } };
    for (const q of ["none", "nulls"]) {
      const out = await newRelicProvider().measure(ctx(at(q)));
      const verdict = await assessMeasurement(metric, out.kind === "value" ? out.value : 0, async () => true);
      assert.equal(verdict.phase, "Inconclusive", q);
      assert.equal(verdict.noData, true);
    }
  });

  test("contract test: GraphQL errors (with a 200), a 429 and a refused key are Error measurements in New Relic's words, no key in them", async () => {
    api.answer("bad", nr.nrqlError("NRQL Syntax Error: Error at line 1 position 1"));
    const bad = await rejection(newRelicProvider().measure(ctx(at("bad"))));
    assert.equal(bad.message, "newRelic NerdGraph error: NRQL Syntax Error: Error at line 1 position 1");
    api.answer("limited", nr.rateLimited());
    const limited = await rejection(newRelicProvider().measure(ctx(at("limited"))));
    assert.equal(
      limited.message,
      "newRelic rate limit (HTTP 429): retry in 30s: measure less often (interval)",
    );
    const wrong = { ...KEYS, "personal-api-key": "NRAK-WRONGWRONG" };
    const refused = await rejection(newRelicProvider().measure(ctx(at("x"), {}, wrong)));
    assert.match(
      refused.message,
      /^newRelic answered HTTP 401 \(Invalid API key\): check personal-api-key and account-id of Secret "nr"/,
    );
    assert.doesNotMatch(refused.message, /WRONGWRONG/);
    const account = await rejection(
      newRelicProvider().measure(ctx(at("x"), {}, { ...KEYS, "account-id": "1" })),
    );
    assert.equal(account.message, "newRelic NerdGraph error: Account not found");
    const notNumber = await rejection(
      newRelicProvider().measure(ctx(at("x"), {}, { ...KEYS, "account-id": "abc" })),
    );
    assert.match(notNumber.message, /key account-id is not a New Relic account number/);
  });

  test("region picks NerdGraph's US or EU URL, and the address policy applies to it and to address", async () => {
    const resolve: Resolve = async () => [{ address: "10.0.0.1", family: 4 }];
    const policy = webPolicy({ deny: ["api.eu.newrelic.com", "api.newrelic.com"] });
    const spec = (region?: "eu") => ({
      ...(region ? { region } : {}),
      secretRef: { name: "nr" },
      query: "q",
    });
    const eu = await rejection(newRelicProvider(policy, resolve).measure(ctx(spec("eu"))));
    assert.ok(eu instanceof RampError);
    assert.match(eu.message, /provider\.newRelic\.region https:\/\/api\.eu\.newrelic\.com\/graphql/);
    const us = await rejection(newRelicProvider(policy, resolve).measure(ctx(spec())));
    assert.match(us.message, /provider\.newRelic\.region https:\/\/api\.newrelic\.com\/graphql/);
    const meta = await rejection(
      newRelicProvider().measure(
        ctx({ address: "http://169.254.169.254/graphql", secretRef: { name: "nr" }, query: "q" }),
      ),
    );
    assert.match(
      meta.message,
      /^WebAnalysisDenied: .*provider\.newRelic\.address http:\/\/169\.254\.169\.254/,
    );
  });
});
