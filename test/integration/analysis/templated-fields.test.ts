// Argo Rollouts' analysis manifests as written: count, failureLimit and interval as "{{args.…}}" from the
// Rollout's args, Prometheus' `insecure` and integer `timeout`. Given a real Prometheus (one over TLS with a
// self-signed certificate), when a canary reaches its analysis, then ramp measures exactly what the args
// say, ends the run Error naming the field when an arg is no number, and verifies TLS unless `insecure`.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { KubernetesObjectApi } from "@kubernetes/client-node";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { selfSigned } from "../../support/echo-server.ts";
import { apiMessage } from "../../support/objects.ts";

const errorRate = (version: string) =>
  `sum(rate(http_requests_total{version="${version}",code=~"5.."}[5s])) / sum(rate(http_requests_total{version="${version}"}[5s]))`;
const FAILS_ABOVE_5 = 'failureCondition: "result[0] > 0.05"';

describe("analysis fields as Argo Rollouts writes them", () => {
  let f: Fixture;
  let env: AnalysisEnv;
  let tlsDir = "";
  let tlsProm: PrometheusHandle | undefined;
  before(async () => {
    env = await startAnalysisEnv({ good: { rate: 50, errors: 0.01 } });
    f = await Fixture.create("analysis-tmpl");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await env?.stop();
    await tlsProm?.stop();
    if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
  });

  /** Applies fixtures/analysis/templated.yaml at app:1, waits Healthy, then ships `image` into the analysis. */
  const ship = async (name: string, vars: Record<string, string>, image = "app:2") => {
    const all = {
      NAME: name,
      METRIC: "errors",
      CONDITION: FAILS_ABOVE_5,
      PROVIDER: `prometheus: {address: "${env.prometheus.url}", timeout: 2s, query: '${errorRate("{{args.version}}")}'}`,
      VERSION: "good",
      LIMIT: "0",
      EVERY: "1s",
      ...vars,
    };
    await f.applyFixture("analysis/templated.yaml", { ...all, IMAGE: "app:1" });
    await f.waitHealthy(name);
    await f.applyFixture("analysis/templated.yaml", { ...all, IMAGE: image });
  };

  test('count "{{args.count}}", failureLimit "{{args.limit}}", interval "{{args.every}}": exactly 3 measurements 2 s apart, then promoted', async () => {
    await ship("tmpl", { COUNT: "3", LIMIT: "0", EVERY: "2s" });
    await f.waitHealthy("tmpl", 90_000);
    const run = await f.analysisRun((await f.analysisRuns("tmpl"))[0] ?? "");
    assert.equal(run.status?.phase, "Successful");
    // The run keeps the template's text: the values are resolved on every pass, never written back.
    assert.equal(run.spec.metrics[0]?.count, "{{args.count}}");
    const m = run.status?.metricResults?.[0];
    assert.equal(m?.count, 3);
    assert.equal(m?.successful, 3);
    const starts = (m?.measurements ?? []).map((x) => Date.parse(x.startedAt ?? ""));
    assert.equal(starts.length, 3);
    // At least the interval apart; the upper bound only allows for a loaded machine's requeue latency.
    for (let i = 1; i < starts.length; i++) {
      const gap = (starts[i] ?? 0) - (starts[i - 1] ?? 0);
      assert.ok(gap >= 2000 && gap < 10_000, `measurement ${i + 1} came ${gap} ms after the one before`);
    }
  });

  test('args reach the conditions as Argo writes them: successCondition compares with "{{args.version}}"', async () => {
    // Without the substitution the literal "{{args.version}}" never equals "good": every measurement fails.
    await ship("tmpl-cond", {
      COUNT: "2",
      EVERY: "1s",
      CONDITION: `successCondition: 'result[0] < 0.05 && "{{args.version}}" == "good"'`,
    });
    await f.waitHealthy("tmpl-cond", 90_000);
    const run = await f.analysisRun((await f.analysisRuns("tmpl-cond"))[0] ?? "");
    assert.equal(run.status?.phase, "Successful");
    assert.equal(run.status?.metricResults?.[0]?.successful, 2);
  });

  test('an arg that resolves to "abc": the run ends Error naming metric and field, the Rollout aborts with it; fixed, the next version ships', async () => {
    await ship("tmpl-bad", { COUNT: "abc" });
    const message =
      'metric "errors": count "{{args.count}}" resolved to "abc", which is not a whole number: pass an integer in the analysis arg "count"';
    const s = await f.waitStatus("tmpl-bad", "aborted", (st) => st.abort?.reason === "AnalysisError");
    assert.equal(s.abort?.message, message);
    assert.equal(s.phase, "Degraded");
    const run = await f.analysisRun((await f.analysisRuns("tmpl-bad"))[0] ?? "");
    assert.equal(run.status?.phase, "Error");
    assert.equal(run.status?.message, message);
    assert.equal(run.status?.metricResults, undefined, "nothing was measured");
    await f.waitStatus(
      "tmpl-bad",
      "traffic and pods back on stable",
      (st) => st.updatedReplicas === 0 && st.availableReplicas === 2 && (st.canary?.weight ?? 0) === 0,
    );
    // The same controller and template with a number in the arg: the next version is analysed and promoted.
    await f.applyFixture("analysis/templated.yaml", {
      NAME: "tmpl-bad",
      METRIC: "errors",
      CONDITION: FAILS_ABOVE_5,
      PROVIDER: `prometheus: {address: "${env.prometheus.url}", timeout: 2s, query: '${errorRate("{{args.version}}")}'}`,
      VERSION: "good",
      COUNT: "2",
      LIMIT: "0",
      EVERY: "1s",
      IMAGE: "app:3",
    });
    await f.waitHealthy("tmpl-bad", 90_000);
    const next = await f.analysisRun((await f.analysisRuns("tmpl-bad"))[0] ?? "");
    assert.notEqual(next.metadata.name, run.metadata.name);
    assert.deepEqual([next.status?.phase, next.status?.metricResults?.[0]?.count], ["Successful", 2]);
  });

  test("a Prometheus over TLS with a self-signed certificate: insecure: true measures; without it, an Error naming the TLS failure", async () => {
    tlsDir = await mkdtemp(join(tmpdir(), "ramp-tls-"));
    // A throwaway self-signed certificate for 127.0.0.1, as a test Prometheus would have.
    const { certFile, keyFile } = selfSigned(tlsDir);
    tlsProm = await startPrometheus({
      scrapeConfigs: [],
      tls: { certFile, keyFile, ca: await readFile(certFile, "utf8") },
    });
    assert.match(tlsProm.url, /^https:/);
    const provider = (extra: string) =>
      `prometheus: {address: "${tlsProm?.url ?? ""}", query: "vector(1)", timeout: 5${extra}}`;
    const vars = { CONDITION: 'successCondition: "result[0] == 1"', COUNT: "2", EVERY: "1s" };

    await ship("tls-ok", { ...vars, PROVIDER: provider(", insecure: true") });
    await ship("tls-no", { ...vars, PROVIDER: provider("") });

    await f.waitHealthy("tls-ok", 90_000);
    const ok = await f.analysisRun((await f.analysisRuns("tls-ok"))[0] ?? "");
    assert.equal(ok.status?.phase, "Successful");
    assert.deepEqual(
      ok.status?.metricResults?.[0]?.measurements?.map((x) => [x.phase, x.value]),
      [
        ["Successful", "[1]"],
        ["Successful", "[1]"],
      ],
    );

    const no = await f.abortedOnError("tls-no");
    assert.match(
      no.measurement,
      /^prometheus tls_error: self-signed certificate.* \(DEPTH_ZERO_SELF_SIGNED_CERT\): the controller does not trust the address's certificate; add its CA \(caSecretRef, caFile or NODE_EXTRA_CA_CERTS\) or set insecure: true/,
    );
    assert.match(
      no.abort,
      /^metric errors: every measurement was an error, last: prometheus tls_error: self-signed/,
    );
  });

  test('admission (server-side dry run): Argo\'s string forms are accepted; count: "x y" and disagreeing insecure flags are refused naming the field', async () => {
    const api = KubernetesObjectApi.makeApiClient(f.kc);
    const template = (metric: Record<string, unknown>, prometheus: Record<string, unknown> = {}) => ({
      apiVersion: "ramp.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "dry", namespace: f.namespace },
      spec: {
        args: [{ name: "count" }, { name: "limit" }, { name: "every" }],
        metrics: [
          {
            name: "errors",
            successCondition: "result[0] < 0.05",
            provider: { prometheus: { address: "https://p:9090", query: "up", ...prometheus } },
            ...metric,
          },
        ],
      },
    });
    const dryRun = (obj: object) =>
      api.create(obj, undefined, "All").then(
        () => undefined,
        (err: unknown) => apiMessage(err),
      );

    assert.equal(
      await dryRun(
        template(
          {
            count: "{{args.count}}",
            failureLimit: "{{args.limit}}",
            inconclusiveLimit: "1",
            consecutiveErrorLimit: 3,
            interval: "{{args.every}}",
            initialDelay: "{{ args.every }}",
          },
          { insecure: true, insecureSkipVerify: true, timeout: 30 },
        ),
      ),
      undefined,
    );
    // [metric fields, prometheus fields, the field the apiserver names, its message]
    const refused: [Record<string, unknown>, Record<string, unknown>, string, string][] = [
      [{ count: "x y" }, {}, "spec.metrics[0].count", "metrics[].count must be a whole number >= 1"],
      [
        { failureLimit: -1 },
        {},
        "spec.metrics[0].failureLimit",
        "metrics[].failureLimit must be a whole number >= 0",
      ],
      [
        {},
        { insecure: true, insecureSkipVerify: false },
        "spec.metrics[0].provider.prometheus",
        "provider.prometheus: insecure and insecureSkipVerify disagree",
      ],
      [
        {},
        { timeout: 0 },
        "spec.metrics[0].provider.prometheus.timeout",
        "provider.prometheus.timeout must be whole seconds >= 1",
      ],
    ];
    for (const [metric, prometheus, path, fragment] of refused) {
      const message = (await dryRun(template(metric, prometheus))) ?? "accepted";
      const what = `${JSON.stringify({ metric, prometheus })}: ${message}`;
      assert.ok(message.includes(`${path}: Invalid value: `), what);
      assert.ok(message.includes(fragment), what);
    }
  });
});
