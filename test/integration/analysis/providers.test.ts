// Background analysis, the web and Job providers, secrets that never leak, and the series Grafana alerts on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const SECRET = "s3cr3t-planted-7f3a9c";

describe("analysis providers and background runs", () => {
  let f: Fixture;
  let env: AnalysisEnv;
  before(async () => {
    env = await startAnalysisEnv({ good: { rate: 50, errors: 0.01 }, bad: { rate: 50, errors: 0.3 } });
    f = await Fixture.create("analysis-providers");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await env?.stop();
  });

  const step = (name: string, vars: Record<string, string>) =>
    f.applyFixture("analysis/step.yaml", {
      NAME: name,
      METRIC: "check",
      COUNT: "1",
      VERSION: "good",
      ...vars,
    });

  /** A canary with background analysis (fixtures/analysis/background.yaml), Healthy at app:1, shipping app:2. */
  const shipBackground = async (name: string, version: string, lastPause: string) => {
    await f.applyFixture("analysis/background.yaml", {
      NAME: name,
      PROM: env.prometheus.url,
      VERSION: version,
      LAST_PAUSE: lastPause,
    });
    await f.waitHealthy(name);
    await f.setImage(name, "app:2");
  };

  test("background analysis that starts at step 3 aborts the rollout at a later step", async () => {
    await shipBackground("bg", "bad", "60s");
    const s = await f.waitStatus(
      "bg",
      "aborted by the background analysis",
      (st) => st.abort?.reason === "AnalysisFailed",
      60_000,
    );
    assert.ok((s.currentStepIndex ?? 0) >= 2, `aborted at step ${s.currentStepIndex}`);
    assert.equal(s.abort?.by, "analysis");
    assert.match(s.abort?.message ?? "", /metric error-rate: value 0\.3 met failureCondition/);
    const started = f.history
      .statuses("bg")
      .find(
        (x) =>
          (x.obj.canary as { currentBackgroundAnalysisRun?: string } | undefined)
            ?.currentBackgroundAnalysisRun,
      );
    assert.ok(
      ((started?.obj.currentStepIndex as number) ?? 0) >= 2,
      "the background run started at step 3, not before",
    );
  });

  test("an Inconclusive background analysis (no data) pauses for a person; promote starts a fresh run", async () => {
    await shipBackground("bgnone", "nobody", "60s");
    const paused = await f.waitStatus(
      "bgnone",
      "paused by the inconclusive background run",
      (st) => st.phase === "Paused" && /background analysis was inconclusive/.test(st.message ?? ""),
      60_000,
    );
    assert.equal(paused.conditions?.find((c) => c.type === "Paused")?.reason, "InconclusiveAnalysis");
    const first = paused.canary?.currentBackgroundAnalysisRun ?? "";
    assert.equal((await f.analysisRun(first)).status?.phase, "Inconclusive");
    await f.actions.promote("bgnone");
    const next = await f.waitStatus(
      "bgnone",
      "a fresh background run",
      (st) => (st.canary?.currentBackgroundAnalysisRun ?? first) !== first,
    );
    assert.match(next.canary?.currentBackgroundAnalysisRun ?? "", /-bg1$/);
    assert.ok(
      (next.currentStepIndex ?? 0) >= (paused.currentStepIndex ?? 0),
      "promote went on from that step",
    );
    assert.notEqual(next.phase, "Healthy", "the rest of the steps still run, under the new background run");
  });

  test("background analysis ends Successful when the rollout completes", async () => {
    await shipBackground("bgok", "good", "3s");
    await f.waitHealthy("bgok", 60_000);
    const [run] = await f.analysisRuns("bgok");
    const done = await waitFor(
      async () => {
        const r = await f.analysisRun(run ?? "");
        return r.status?.phase === "Successful" ? r : undefined;
      },
      { what: "the background run to end Successful" },
    );
    assert.equal(done.spec.terminate, true);
  });

  test("web provider: a JSON endpoint's field decides", async () => {
    await step("web", {
      CONDITION: 'successCondition: "result == true"',
      PROVIDER: `web: {url: "${env.app("good").url}/status.json", jsonPath: "{$.ok}"}`,
    });
    await f.waitHealthy("web");
    await f.setImage("web", "app:2");
    await f.waitHealthy("web", 60_000);
    const run = await f.analysisRun((await f.analysisRuns("web"))[0] ?? "");
    assert.equal(run.status?.phase, "Successful");
    assert.equal(run.status?.metricResults?.[0]?.measurements?.[0]?.value, "true");
  });

  test("web provider: a non-2xx answer is an Error measurement naming the status", async () => {
    await step("web404", {
      CONDITION: 'successCondition: "true"',
      PROVIDER: `web: {url: "${env.app("good").url}/status.json/nope"}`,
    });
    await f.waitHealthy("web404");
    await f.setImage("web404", "app:2");
    await f.waitStatus("web404", "aborted", (st) => st.abort?.reason === "AnalysisError", 60_000);
    const run = await f.analysisRun((await f.analysisRuns("web404"))[0] ?? "");
    assert.match(
      run.status?.metricResults?.[0]?.measurements?.[0]?.message ?? "",
      /did not answer JSON|answered 404/,
    );
  });

  const job = (spec: string) => `job: {spec: ${spec}}`;
  test("job provider: a Job that succeeds passes the step", async () => {
    await step("jobok", {
      CONDITION: "",
      PROVIDER: job(
        '{backoffLimit: 0, template: {spec: {restartPolicy: Never, terminationGracePeriodSeconds: 0, containers: [{name: check, image: "checker:1"}]}}}',
      ),
    });
    await f.waitHealthy("jobok");
    await f.setImage("jobok", "app:2");
    await f.waitHealthy("jobok", 90_000);
    const run = await f.analysisRun((await f.analysisRuns("jobok"))[0] ?? "");
    assert.equal(run.status?.metricResults?.[0]?.successful, 1);
    assert.match(run.status?.metricResults?.[0]?.measurements?.[0]?.message ?? "", /job .* succeeded/);
  });

  test("job provider: a Job that fails aborts the rollout", async () => {
    await step("jobfail", {
      CONDITION: "",
      // No node matches: the pod never runs, and the Job fails at its deadline.
      PROVIDER: job(
        '{backoffLimit: 0, activeDeadlineSeconds: 2, template: {spec: {restartPolicy: Never, nodeSelector: {ramp.dev/no-such-node: "true"}, containers: [{name: check, image: "checker:1"}]}}}',
      ),
    });
    await f.waitHealthy("jobfail");
    await f.setImage("jobfail", "app:2");
    const s = await f.waitStatus("jobfail", "aborted", (st) => st.abort?.reason === "AnalysisFailed", 90_000);
    assert.match(s.abort?.message ?? "", /metric check: job .* failed: DeadlineExceeded/);
  });

  test("a planted secret never appears in logs, Events, status, AnalysisRuns or metrics", async () => {
    await kubectl([
      "create",
      "secret",
      "generic",
      "prom-token",
      "-n",
      f.namespace,
      `--from-literal=token=${SECRET}`,
    ]);
    await step("secret", {
      CONDITION: 'successCondition: "true"',
      // The secret goes into a header and into the URL; the endpoint does not exist, so errors echo the URL.
      PROVIDER: `web: {url: "${env.app("good").url}/missing/{{args.version}}", headers: [{key: Authorization, valueFrom: {secretKeyRef: {name: prom-token, key: token}}}]}`,
    });
    await kubectl([
      "patch",
      "analysistemplate.ramp.dev",
      "secret-check",
      "-n",
      f.namespace,
      "--type=json",
      "-p",
      JSON.stringify([
        {
          op: "add",
          path: "/spec/args/0/valueFrom",
          value: { secretKeyRef: { name: "prom-token", key: "token" } },
        },
      ]),
    ]);
    await kubectl([
      "patch",
      "rollout.ramp.dev",
      "secret",
      "-n",
      f.namespace,
      "--type=json",
      "-p",
      JSON.stringify([
        {
          op: "replace",
          path: "/spec/strategy/canary/steps/1/analysis/args",
          value: [{ name: "version", valueFrom: { secretKeyRef: { name: "prom-token", key: "token" } } }],
        },
      ]),
    ]);
    await f.waitHealthy("secret");
    await f.setImage("secret", "app:2");
    await f.waitStatus("secret", "aborted on errors", (st) => st.abort?.reason === "AnalysisError", 60_000);
    const run = await f.analysisRun((await f.analysisRuns("secret"))[0] ?? "");
    assert.match(JSON.stringify(run.status), /missing\/\*\*\*\*\*/, "the URL in the message is redacted");
    const outputs: [string, string][] = [
      ["controller log", readFileSync(f.controllers[0]?.logFile ?? "", "utf8")],
      ["events", (await kubectl(["get", "events", "-n", f.namespace, "-o", "json"])).stdout],
      ["rollouts", (await kubectl(["get", "rollouts.ramp.dev", "-n", f.namespace, "-o", "json"])).stdout],
      [
        "analysisruns",
        (await kubectl(["get", "analysisruns.ramp.dev", "-n", f.namespace, "-o", "json"])).stdout,
      ],
      ["metrics", await (await fetch(f.controllers[0]?.metricsUrl ?? "")).text()],
    ];
    for (const [where, text] of outputs) {
      assert.ok(text.length > 100, `${where} was read`);
      assert.ok(!text.includes(SECRET), `the secret leaked into ${where}`);
    }
  });

  test("metrics: each run's metric value and phase are exported, and removed with the run", async () => {
    const text = await (await fetch(f.controllers[0]?.metricsUrl ?? "")).text();
    const web = (await f.analysisRuns("web"))[0] ?? "";
    assert.match(
      text,
      new RegExp(
        `ramp_analysis_metric_phase\\{namespace="${f.namespace}",rollout="web",analysisrun="${web}",metric="check",phase="Successful"\\} 1`,
      ),
    );
    assert.match(
      text,
      /ramp_analysis_measurements_total\{[^}]*rollout="bad"|ramp_analysis_measurements_total\{[^}]*rollout="bg"[^}]*phase="Failed"\} \d/,
    );
    await kubectl(["delete", "analysisrun.ramp.dev", web, "-n", f.namespace]);
    await waitFor(
      async () =>
        !(await (await fetch(f.controllers[0]?.metricsUrl ?? "")).text()).includes(`analysisrun="${web}"`),
      {
        what: `the series of ${web} to be removed`,
      },
    );
  });
});
