// Given an AnalysisTemplate that carries its own arg sources (valueFrom.fieldRef into the Rollout, and
// valueFrom.secretKeyRef) and its own dryRun and measurementRetention, and a Rollout whose analysis step
// names the template with no args and none of those fields, when a canary reaches the step on the real
// control plane with a real Prometheus, then the run queries with the template's arg values and applies
// the template's dryRun and measurementRetention.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { analysisCanary, applyObjects, secretObject } from "../../support/e2e/runs.ts";

const errorRate = (version: string) =>
  `sum(rate(http_requests_total{version="${version}",code=~"5.."}[5s])) / sum(rate(http_requests_total{version="${version}"}[5s]))`;
const value = (text: string | undefined) => Number(JSON.parse(text ?? "[9]")[0]);

/** Two Services, the template and a canary labelled team=payments (20% → analysis → 100%) at app:1. */
const canary = (name: string, template: object): object[] =>
  // No args, dryRun or measurementRetention in the step: everything comes from the template.
  analysisCanary(name, { name, spec: template }, { templates: [{ templateName: name }] });

describe("an AnalysisTemplate's own args, dryRun and measurementRetention", () => {
  let f: Fixture;
  let env: AnalysisEnv;
  before(async () => {
    // Only "payments" passes (1% errors); the decoy (30%) is what a wrong arg value would query.
    env = await startAnalysisEnv({ payments: { rate: 50, errors: 0.01 }, decoy: { rate: 50, errors: 0.3 } });
    f = await Fixture.create("template-fields");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await env?.stop();
  });
  const prom = (query: string) => ({ prometheus: { address: env.prometheus.url, timeout: 2, query } });
  const ship = async (name: string, template: object) => {
    await applyObjects(f, canary(name, template));
    await f.waitHealthy(name);
    await f.setImage(name, "app:2");
    await f.waitHealthy(name, 90_000);
    return f.analysisRun((await f.analysisRuns(name))[0] ?? "");
  };

  test("a template's valueFrom args with no value from the Rollout: fieldRef reads the Rollout's label, secretKeyRef the Secret's key, and both reach the query", async () => {
    // The Secret's other key, and another Secret with the same key, hold the decoy: only name and key
    // together give "payments".
    await applyObjects(f, [
      secretObject("team-secret", { team: "payments", other: "decoy" }),
      secretObject("decoy-secret", { team: "decoy" }),
    ]);
    const run = await ship("tmpl-args", {
      args: [
        { name: "label-team", valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
        { name: "secret-team", valueFrom: { secretKeyRef: { name: "team-secret", key: "team" } } },
      ],
      metrics: [
        {
          name: "by-label",
          failureCondition: "result[0] > 0.05",
          provider: prom(errorRate("{{args.label-team}}")),
        },
        {
          name: "by-secret",
          failureCondition: "result[0] > 0.05",
          provider: prom(errorRate("{{args.secret-team}}")),
        },
      ],
    });
    assert.equal(run.status?.phase, "Successful", run.status?.message);
    // The fieldRef was resolved from the Rollout when the run was built; the Secret stays a reference.
    assert.deepEqual(run.spec.args?.slice(0, 2), [
      { name: "label-team", value: "payments" },
      { name: "secret-team", valueFrom: { secretKeyRef: { name: "team-secret", key: "team" } } },
    ]);
    for (const metric of ["by-label", "by-secret"]) {
      const m = run.status?.metricResults?.find((r) => r.name === metric)?.measurements?.[0];
      // About 0.01: the payments stand-in, not the decoy's 0.3.
      assert.ok(Math.abs(value(m?.value) - 0.01) < 0.005, `${metric}: ${m?.value}`);
    }
  });

  test("a template's dryRun and measurementRetention: its failing dry-run metric does not stop the Rollout, and its kept measurements are cut to the limit", async () => {
    const run = await ship("tmpl-dry", {
      metrics: [
        {
          name: "errors",
          count: 4,
          interval: "1s",
          failureCondition: "result[0] > 0.05",
          provider: prom(errorRate("payments")),
        },
        { name: "dry-check", successCondition: "result[0] > 1", provider: prom("vector(1)") },
      ],
      dryRun: [{ metricName: "dry-check" }],
      measurementRetention: [{ metricName: "errors", limit: 2 }],
    });
    // The Rollout was promoted (ship waited for it): dry-check failed without failing the run.
    assert.equal(run.status?.phase, "Successful", run.status?.message);
    assert.deepEqual(run.spec.dryRun, [{ metricName: "dry-check" }]);
    assert.deepEqual(run.spec.measurementRetention, [{ metricName: "errors", limit: 2 }]);
    const result = (name: string) => run.status?.metricResults?.find((r) => r.name === name);
    const dry = result("dry-check");
    assert.deepEqual([dry?.phase, dry?.dryRun, dry?.measurements?.[0]?.value], ["Failed", true, "[1]"]);
    // Four measurements taken, the last two kept (without the template's limit, all four: the default is 10).
    const errors = result("errors");
    assert.deepEqual([errors?.count, errors?.successful, errors?.measurements?.length], [4, 4, 2]);
    const starts = (errors?.measurements ?? []).map((m) => Date.parse(m.startedAt ?? ""));
    const first = Date.parse(run.status?.startedAt ?? "");
    assert.ok(
      starts.every((t) => t - first >= 2000),
      `the kept ones are the last: ${starts.map((t) => t - first).join(", ")} ms into the run`,
    );
  });
});
