// Analysis fields that were proven only by unit tests, now on the real control plane and a real Prometheus,
// each asserted so that it fails if the field were ignored: measurementRetention, initialDelay, dryRun (a
// pattern; an entry naming no metric), analysis args from valueFrom.fieldRef, inconclusiveLimit, an
// interval from args under 1s, a Job metric's args (a Secret arg reaches the Job only as secretKeyRef),
// and the admission rules for fields that would otherwise be accepted and ignored.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KubernetesObjectApi } from "@kubernetes/client-node";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import { kubectl } from "../../../dev/kube.ts";
import type { AnalysisRun } from "../../../src/api/index.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import {
  analysisCanary,
  applyObjects,
  createRun,
  secretObject,
  waitRunDone,
} from "../../support/e2e/runs.ts";
import { apiMessage } from "../../support/objects.ts";

const errorRate = (version: string) =>
  `sum(rate(http_requests_total{version="${version}",code=~"5.."}[5s])) / sum(rate(http_requests_total{version="${version}"}[5s]))`;
const ms = (iso: string | undefined) => Date.parse(iso ?? "");

/** Two Services, a template and a canary (labelled team=payments): 20% → analysis → 100%. */
const canary = (name: string, metrics: object[], analysis: object): object[] =>
  analysisCanary(
    name,
    { name: `${name}-check`, spec: { args: [{ name: "team" }], metrics } },
    {
      templates: [{ templateName: `${name}-check` }],
      args: [{ name: "team", valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } }],
      ...analysis,
    },
  );

describe("analysis fields on the real control plane", () => {
  let f: Fixture;
  let env: AnalysisEnv;
  before(async () => {
    // The stand-in's version label is "payments": only the Rollout's team label can name it in a query.
    env = await startAnalysisEnv({ payments: { rate: 50, errors: 0.01 } });
    f = await Fixture.create("analysis-fields");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await env?.stop();
  });
  const prom = (query: string) => ({ prometheus: { address: env.prometheus.url, timeout: 2, query } });

  /** Applies the canary at app:1, waits Healthy, then ships app:2 into the analysis. */
  const ship = async (name: string, metrics: object[], analysis: object) => {
    await applyObjects(f, canary(name, metrics, analysis));
    await f.waitHealthy(name);
    await f.setImage(name, "app:2");
  };

  test("measurementRetention, initialDelay, a dryRun pattern and a fieldRef arg, in one analysis step", async () => {
    await ship(
      "fields",
      [
        {
          name: "errors",
          count: 4,
          interval: "1s",
          failureCondition: "result[0] > 0.05",
          provider: prom(errorRate("{{args.team}}")),
        },
        { name: "late", initialDelay: "4s", successCondition: "result[0] == 1", provider: prom("vector(1)") },
        { name: "dry-check", successCondition: "result[0] > 1", provider: prom("vector(1)") },
      ],
      { measurementRetention: [{ metricName: "errors", limit: 2 }], dryRun: [{ metricName: "dry.*" }] },
    );
    // A failing dry-run metric does not abort the Rollout: it is promoted.
    await f.waitHealthy("fields", 90_000);
    const run = await f.analysisRun((await f.analysisRuns("fields"))[0] ?? "");
    assert.equal(run.status?.phase, "Successful");
    const result = (name: string) => run.status?.metricResults?.find((r) => r.name === name);
    const started = ms(run.status?.startedAt);

    // fieldRef: the Rollout's label became the arg, and the query found the stand-in by it (1% errors).
    assert.deepEqual(
      run.spec.args?.find((a) => a.name === "team"),
      { name: "team", value: "payments" },
    );
    const errors = result("errors");
    assert.ok(
      Math.abs(Number(JSON.parse(errors?.measurements?.at(-1)?.value ?? "[9]")[0]) - 0.01) < 0.005,
      errors?.measurements?.at(-1)?.value,
    );
    // measurementRetention limit 2: four measurements taken, the last two kept (default would keep 10).
    assert.deepEqual([errors?.count, errors?.successful, errors?.measurements?.length], [4, 4, 2]);
    const kept = (errors?.measurements ?? []).map((m) => ms(m.startedAt) - started);
    assert.ok(
      kept.every((t) => t >= 2000),
      `kept measurements started ${kept.join(", ")} ms into the run`,
    );

    // initialDelay 4s: the first measurement no sooner than 4 s after the run started.
    const late = result("late")?.measurements?.[0];
    const delay = ms(late?.startedAt) - started;
    assert.ok(delay >= 4000, `late was measured ${delay} ms after the run started`);

    // dryRun "dry.*": the failing metric's result is recorded, and did not fail the run.
    const dry = result("dry-check");
    assert.deepEqual([dry?.phase, dry?.dryRun, dry?.measurements?.[0]?.value], ["Failed", true, "[1]"]);
    assert.match(dry?.measurements?.[0]?.message ?? "", /did not meet successCondition "result\[0\] > 1"/);
    assert.deepEqual(run.status?.runSummary?.failed, 0, "dry-run results stay out of the run's counters");
  });

  test("a dryRun entry that names no metric ends the run Error naming it, and the Rollout aborts with it", async () => {
    await ship(
      "nomatch",
      [{ name: "errors", successCondition: "result[0] == 1", provider: prom("vector(1)") }],
      { dryRun: [{ metricName: "eror" }] },
    );
    const s = await f.waitStatus("nomatch", "aborted", (st) => st.abort?.reason === "AnalysisError");
    const message =
      'dryRun[0].metricName "eror" matches no metric of the run (errors): name one of them, a regular expression over whole names such as "err.*", or "*" for every metric';
    assert.equal(s.abort?.message, message);
    const run = await f.analysisRun((await f.analysisRuns("nomatch"))[0] ?? "");
    assert.deepEqual([run.status?.phase, run.status?.message], ["Error", message]);
    assert.equal(run.status?.metricResults, undefined, "nothing was measured");
  });

  test("inconclusiveLimit 2: the run stays Running through 2 inconclusive measurements and ends Inconclusive at the 3rd", async () => {
    const seen = new Map<number, string>();
    await createRun(f, "quiet", {
      metrics: [
        {
          name: "quiet",
          interval: "1s",
          count: 10,
          inconclusiveLimit: 2,
          successCondition: "result[0] == 1",
          // An empty vector: no data, which is Inconclusive.
          provider: prom("vector(1) unless vector(1)"),
        },
      ],
    });
    const run = await waitRunDone(f, "quiet", 60_000, (r: AnalysisRun) => {
      const n = r.status?.metricResults?.[0]?.inconclusive;
      if (n !== undefined && r.status?.phase) seen.set(n, r.status.phase);
    });
    assert.equal(seen.get(1), "Running");
    assert.equal(seen.get(2), "Running");
    assert.equal(run.status?.phase, "Inconclusive");
    const m = run.status?.metricResults?.[0];
    assert.deepEqual([m?.count, m?.inconclusive], [3, 3]);
    assert.match(run.status?.message ?? "", /3 inconclusive, inconclusiveLimit 2/);
  });

  test('an interval from args that resolves to "0s" ends the run Error before it measures', async () => {
    await createRun(f, "hot", {
      args: [{ name: "every", value: "0s" }],
      metrics: [
        { name: "hot", interval: "{{args.every}}", successCondition: "true", provider: prom("vector(1)") },
      ],
    });
    const run = await waitRunDone(f, "hot");
    assert.deepEqual(
      [run.status?.phase, run.status?.message],
      [
        "Error",
        'metric "hot": interval "{{args.every}}" resolved to "0s", which is less than 1s: pass at least 1s ("30s") in the analysis arg "every"',
      ],
    );
  });

  test("a Job metric: args fill every string; a Secret arg reaches the Job only as valueFrom.secretKeyRef", async () => {
    const SECRET = "j0b-secret-5a1e";
    await applyObjects(f, [secretObject("job-secret", { token: SECRET })]);
    const job = (args: string[]) => ({
      name: "check",
      provider: {
        job: {
          metadata: { labels: { version: "v{{args.version}}" } },
          spec: {
            backoffLimit: 0,
            template: {
              spec: {
                restartPolicy: "Never",
                terminationGracePeriodSeconds: 0,
                containers: [
                  {
                    name: "check",
                    image: "checker:{{args.version}}",
                    args,
                    env: [{ name: "TOKEN", value: "{{args.token}}" }],
                  },
                ],
              },
            },
          },
        },
      },
    });
    const args = [
      { name: "version", value: "1" },
      { name: "token", valueFrom: { secretKeyRef: { name: "job-secret", key: "token" } } },
    ];
    await createRun(f, "job-args", { args, metrics: [job(["--token=$(TOKEN)"])] });
    const ok = await waitRunDone(f, "job-args", 90_000);
    assert.equal(ok.status?.phase, "Successful", ok.status?.message);
    const res = await kubectl([
      "get",
      "jobs",
      "-n",
      f.namespace,
      "-l",
      "ramp.dev/analysisrun=job-args",
      "-o",
      "json",
    ]);
    type CreatedJob = {
      metadata: { labels: Record<string, string> };
      spec: { template: { spec: { containers: { image: string; env: object[] }[] } } };
    };
    const [created] = (JSON.parse(res.stdout) as { items: CreatedJob[] }).items;
    const c = created?.spec.template.spec.containers[0];
    assert.equal(created?.metadata.labels.version, "v1");
    assert.equal(c?.image, "checker:1");
    assert.deepEqual(c?.env, [
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "job-secret", key: "token" } } },
    ]);
    assert.ok(!res.stdout.includes(SECRET), "the Secret's value is not in the Job");

    // The same arg in the container's args would be stored in clear text: refused, no Job created.
    await createRun(f, "job-leak", { args, metrics: [job(["--token={{args.token}}"])] });
    const leak = await waitRunDone(f, "job-leak");
    assert.equal(leak.status?.phase, "Error");
    assert.match(
      leak.status?.message ?? "",
      /^metric "check": spec\.metrics\[0\]\.provider\.job\.spec\.template\.spec\.containers\[0\]\.args\[0\] uses the arg "token", which comes from a Secret: a Job would store it in clear text\./,
    );
    const none = await kubectl([
      "get",
      "jobs",
      "-n",
      f.namespace,
      "-l",
      "ramp.dev/analysisrun=job-leak",
      "-o",
      "name",
    ]);
    assert.equal(none.stdout.trim(), "");
  });

  test("admission (server-side dry run): interval under 1s, a job metric's conditions, an arg with two sources are refused naming the field; Argo's forms are accepted", async () => {
    const api = KubernetesObjectApi.makeApiClient(f.kc);
    const JOB = {
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i" }] } } },
    };
    const template = (metric: object, args: object[] = []) => ({
      apiVersion: "ramp.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "dry", namespace: f.namespace },
      spec: { args, metrics: [{ name: "m", successCondition: "true", provider: prom("up"), ...metric }] },
    });
    const dryRun = (obj: object) =>
      api.create(obj, undefined, "All").then(
        () => "accepted",
        (err: unknown) => apiMessage(err),
      );
    const accepted = [
      template({ interval: "1s" }),
      template({ interval: "{{args.every}}" }, [{ name: "every" }]),
      template({ successCondition: undefined, count: 1, interval: "5s", provider: { job: JOB } }),
      template({}, [
        { name: "a", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
        { name: "b", valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
        { name: "c", value: "x" },
      ]),
    ];
    for (const t of accepted) assert.equal(await dryRun(t), "accepted", JSON.stringify(t.spec));
    const refused: [object, string, string][] = [
      [template({ interval: 0 }), "spec.metrics[0].interval", "metrics[].interval must be at least 1s"],
      [template({ interval: "500ms" }), "spec.metrics[0].interval", "metrics[].interval must be at least 1s"],
      [
        template({ provider: { job: JOB } }),
        "spec.metrics[0].successCondition",
        "metrics[].successCondition is not evaluated for a job metric: the Job's own success or failure decides",
      ],
      [
        template({ successCondition: undefined, noData: "fail", provider: { job: JOB } }),
        "spec.metrics[0].noData",
        "metrics[].noData is not evaluated for a job metric",
      ],
      [
        template({}, [{ name: "a", value: "x", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }]),
        "spec.args[0]",
        "spec.args[]: set value (a default) or valueFrom (a Secret or a field of the Rollout), not both",
      ],
      [
        template({}, [{ name: "a", valueFrom: {} }]),
        "spec.args[0].valueFrom",
        "spec.args[].valueFrom: set exactly one of secretKeyRef or fieldRef",
      ],
    ];
    for (const [obj, path, fragment] of refused) {
      const message = await dryRun(obj);
      assert.ok(message.includes(`${path}: Invalid value: `), message);
      assert.ok(message.includes(fragment), message);
    }
  });
});
