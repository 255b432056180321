// Prometheus authentication on the real control plane against real Prometheus servers. Basic auth is
// Prometheus' own (--web.config.file basic_auth_users, a bcrypt hash made by the test). Prometheus cannot
// require a bearer token or a custom header, so those go through a loopback-only proxy in front of it
// (test/support/auth-proxy.ts) that lets through only the exact header values. Each field is proven both
// ways: with the right credentials the metric measures; with a wrong one the measurement is an Error
// naming the 401. The address and header values (Prometheus' and web's) also come from {{args.NAME}}, as
// Argo writes them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import { type AuthProxy, startAuthProxy } from "../../support/auth-proxy.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { applyObjects, createRun, secretObject, waitRunDone } from "../../support/e2e/runs.ts";

const PASSWORD = "b4sic-pw-6e1d";
const TOKEN = "b3arer-token-91c2";
const API_KEY = "ap1-key-77f0";
const ref = (key: string) => ({ name: "prom-auth", key });
const UNAUTHORIZED =
  /^prometheus answered HTTP 401 Unauthorized: the address refused the metric's credentials; check authentication\.basic, authentication\.bearerToken and headers$/;

describe("Prometheus authentication against real Prometheus servers", () => {
  let f: Fixture;
  let basicProm: PrometheusHandle | undefined;
  let plainProm: PrometheusHandle | undefined;
  let bearer: AuthProxy | undefined;
  let tenant: AuthProxy | undefined;
  before(async () => {
    basicProm = await startPrometheus({
      scrapeConfigs: [],
      basicAuth: { username: "ramp", password: PASSWORD },
    });
    plainProm = await startPrometheus({ scrapeConfigs: [] });
    bearer = await startAuthProxy(plainProm.url, { authorization: `Bearer ${TOKEN}` });
    tenant = await startAuthProxy(plainProm.url, { "x-scope-orgid": "team-a", "x-api-key": API_KEY });
    f = await Fixture.create("analysis-auth");
    await applyObjects(f, [
      secretObject("prom-auth", {
        password: PASSWORD,
        "wrong-password": "not-it",
        token: TOKEN,
        "wrong-token": "not-it-either",
        "api-key": API_KEY,
        "wrong-key": "nope",
      }),
    ]);
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await Promise.all([bearer?.stop(), tenant?.stop(), basicProm?.stop(), plainProm?.stop()]);
  });

  /** A run of one metric asking `vector(1)` once; the first error ends it (consecutiveErrorLimit 0). */
  const run = async (name: string, prometheus: object, args: { name: string; value: string }[] = []) => {
    await createRun(f, name, {
      args,
      metrics: [
        {
          name: "up",
          successCondition: "result[0] == 1",
          consecutiveErrorLimit: 0,
          provider: { prometheus: { query: "vector(1)", timeout: 5, ...prometheus } },
        },
      ],
    });
    const done = await waitRunDone(f, name);
    return { phase: done.status?.phase, m: done.status?.metricResults?.[0]?.measurements?.[0] };
  };

  test("authentication.basic with the password from a Secret measures; a wrong password is an Error naming the 401", async () => {
    const address = basicProm?.url ?? "";
    const ok = await run("basic-ok", {
      address,
      authentication: { basic: { username: "ramp", passwordSecretKeyRef: ref("password") } },
    });
    assert.deepEqual([ok.phase, ok.m?.phase, ok.m?.value], ["Successful", "Successful", "[1]"]);
    const wrong = await run("basic-wrong", {
      address,
      authentication: { basic: { username: "ramp", passwordSecretKeyRef: ref("wrong-password") } },
    });
    assert.deepEqual([wrong.phase, wrong.m?.phase], ["Error", "Error"]);
    assert.match(wrong.m?.message ?? "", UNAUTHORIZED);
    // Without authentication at all, the same Prometheus refuses too: the field is what let it in.
    const none = await run("basic-none", { address });
    assert.match(none.m?.message ?? "", UNAUTHORIZED);
  });

  test("authentication.bearerToken from a Secret measures; a wrong token is an Error naming the 401", async () => {
    const address = bearer?.url ?? "";
    const before = bearer?.refused() ?? 0;
    const ok = await run("bearer-ok", {
      address,
      authentication: { bearerToken: { secretKeyRef: ref("token") } },
    });
    assert.deepEqual([ok.phase, ok.m?.value], ["Successful", "[1]"]);
    const wrong = await run("bearer-wrong", {
      address,
      authentication: { bearerToken: { secretKeyRef: ref("wrong-token") } },
    });
    assert.deepEqual([wrong.phase, wrong.m?.phase], ["Error", "Error"]);
    assert.match(wrong.m?.message ?? "", UNAUTHORIZED);
    assert.equal((bearer?.refused() ?? 0) - before, 1, "the proxy refused exactly the wrong token");
  });

  test("headers from a value (with {{args.team}}) and from a Secret, and the address from {{args.prom}}, measure; a wrong header is an Error naming the 401", async () => {
    const args = [
      { name: "prom", value: tenant?.url ?? "" },
      { name: "team", value: "a" },
    ];
    const headers = (key: string) => [
      { key: "X-Scope-OrgID", value: "team-{{args.team}}" },
      { key: "X-Api-Key", valueFrom: { secretKeyRef: ref(key) } },
    ];
    const ok = await run("headers-ok", { address: "{{args.prom}}", headers: headers("api-key") }, args);
    assert.deepEqual([ok.phase, ok.m?.value], ["Successful", "[1]"]);
    const wrongKey = await run(
      "headers-wrong",
      { address: "{{args.prom}}", headers: headers("wrong-key") },
      args,
    );
    assert.deepEqual([wrongKey.phase, wrongKey.m?.phase], ["Error", "Error"]);
    assert.match(wrongKey.m?.message ?? "", UNAUTHORIZED);
    const wrongTeam = await run("headers-team", { address: "{{args.prom}}", headers: headers("api-key") }, [
      args[0] ?? { name: "prom", value: "" },
      { name: "team", value: "b" },
    ]);
    assert.match(wrongTeam.m?.message ?? "", UNAUTHORIZED);
  });

  test("a web metric's header values get their args too: {{args.team}} passes the same proxy, another team is a 401", async () => {
    const web = (team: string) => ({
      args: [{ name: "team", value: team }],
      metrics: [
        {
          name: "status",
          successCondition: 'result == "success"',
          consecutiveErrorLimit: 0,
          provider: {
            web: {
              url: `${tenant?.url ?? ""}/api/v1/query?query=vector(1)`,
              jsonPath: "{$.status}",
              headers: [
                { key: "X-Scope-OrgID", value: "team-{{args.team}}" },
                { key: "X-Api-Key", valueFrom: { secretKeyRef: ref("api-key") } },
              ],
            },
          },
        },
      ],
    });
    await createRun(f, "web-ok", web("a"));
    const ok = await waitRunDone(f, "web-ok");
    assert.deepEqual(
      [ok.status?.phase, ok.status?.metricResults?.[0]?.measurements?.[0]?.value],
      ["Successful", '"success"'],
    );
    await createRun(f, "web-team", web("b"));
    const wrong = await waitRunDone(f, "web-team");
    assert.equal(wrong.status?.phase, "Error");
    assert.match(wrong.status?.metricResults?.[0]?.measurements?.[0]?.message ?? "", /answered 401$/);
  });
});
