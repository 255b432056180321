// The run reconciler's fields that Argo Rollouts documents and ramp must not ignore: measurementRetention,
// initialDelay, dryRun (names, patterns, "*", and entries that match nothing), inconclusiveLimit, an
// interval from args under 1s, and a Job metric's args (a Secret arg never written into the Job).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { ConditionEvaluator } from "../../../src/analysis/conditions.ts";
import { runArgs, runHarness } from "../../support/analysis-run.ts";

type Json = Record<string, unknown>;
const evaluator = new ConditionEvaluator({ timeoutMs: 1000 });
let server: Server;
let base = "";
before(async () => {
  // /1 answers {"v":1}, /0 {"v":0}, /none {"v":null}: a pass, a failure and no data for "result == 1".
  server = createServer((req, res) => {
    const v = req.url === "/none" ? null : Number(req.url?.slice(1));
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ v }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await evaluator.close();
  await new Promise((resolve) => server.close(resolve));
});

const web = (name: string, path: string, extra: Json = {}): Json => ({
  name,
  successCondition: "result == 1",
  provider: { web: { url: `${base}/${path}`, jsonPath: "{$.v}" } },
  ...extra,
});

/** Reconciles until the run ends (or `max` passes), moving the clock to each requeue. */
async function drive(h: ReturnType<typeof runHarness>, max = 50) {
  for (let i = 0; i < max; i++) {
    const next = await h.reconcile();
    if (next?.requeueAfterMs === undefined) return;
    h.clock.now += next.requeueAfterMs;
  }
}

describe("measurementRetention and initialDelay", () => {
  test("measurementRetention limit 2: of 5 measurements the run keeps the last 2; another metric keeps 10", async () => {
    const h = runHarness(
      {
        metrics: [
          web("kept", "1", { count: 5, interval: "1s" }),
          web("all", "1", { count: 12, interval: "1s" }),
        ],
        measurementRetention: [{ metricName: "kept", limit: 2 }],
      },
      { evaluator },
    );
    const start = h.clock.now;
    await drive(h);
    const [kept, all] = h.status()?.metricResults ?? [];
    assert.deepEqual([kept?.count, kept?.measurements?.length], [5, 2]);
    assert.deepEqual(
      kept?.measurements?.map((m) => Date.parse(m.startedAt ?? "") - start),
      [3000, 4000],
    );
    assert.deepEqual([all?.count, all?.measurements?.length], [12, 10]);
  });

  test('initialDelay "5s": nothing is measured before 5 s after the run started', async () => {
    const h = runHarness({ metrics: [web("late", "1", { initialDelay: "5s" })] }, { evaluator });
    const start = h.clock.now;
    assert.deepEqual(await h.reconcile(), { requeueAfterMs: 5000 });
    assert.deepEqual(h.status()?.metricResults?.[0]?.measurements, []);
    h.clock.now += 4999;
    await h.reconcile();
    assert.equal(h.status()?.metricResults?.[0]?.count, 0, "not at 4.999 s");
    h.clock.now += 1;
    await h.reconcile();
    const m = h.status()?.metricResults?.[0]?.measurements?.[0];
    assert.equal(Date.parse(m?.startedAt ?? "") - start, 5000);
    assert.equal(h.status()?.phase, "Successful");
  });
});

describe("dryRun", () => {
  const run = (dryRun: string[]) => ({
    metrics: [web("errors", "0"), web("latency", "1")],
    dryRun: dryRun.map((metricName) => ({ metricName })),
  });
  for (const names of [["errors"], ["err.*"], ["*"], [".*"], ["latency", "errors"]]) {
    test(`${JSON.stringify(names)}: the failing metric is recorded Failed, the run is Successful`, async () => {
      const h = runHarness(run(names), { evaluator });
      await drive(h);
      const errors = h.status()?.metricResults?.find((r) => r.name === "errors");
      assert.deepEqual(
        [errors?.phase, errors?.dryRun, errors?.measurements?.[0]?.value],
        ["Failed", true, "0"],
      );
      assert.equal(h.status()?.phase, "Successful");
    });
  }
  test("without dryRun the same failing metric fails the run", async () => {
    const h = runHarness(run([]), { evaluator });
    await drive(h);
    assert.equal(h.status()?.phase, "Failed");
  });
  test('"err" matches whole names only (Argo matches anywhere): it names no metric, so the run ends Error', async () => {
    const h = runHarness(run(["err"]), { evaluator });
    await drive(h);
    assert.equal(h.status()?.phase, "Error");
    assert.equal(
      h.status()?.message,
      'dryRun[0].metricName "err" matches no metric of the run (errors, latency): name one of them, a regular expression over whole names such as "err.*", or "*" for every metric',
    );
    assert.equal(h.status()?.metricResults, undefined, "nothing was measured");
  });
  test("a measurementRetention entry that names no metric ends the run Error naming it", async () => {
    const h = runHarness(
      { metrics: [web("errors", "1")], measurementRetention: [{ metricName: "eror", limit: 3 }] },
      { evaluator },
    );
    await drive(h);
    assert.equal(h.status()?.phase, "Error");
    assert.match(
      h.status()?.message ?? "",
      /^measurementRetention\[0\]\.metricName "eror" matches no metric/,
    );
  });
  test("an entry that is no regular expression ends the run Error naming it", async () => {
    const h = runHarness({ metrics: [web("errors", "1")], dryRun: [{ metricName: "(" }] }, { evaluator });
    await drive(h);
    assert.equal(h.status()?.phase, "Error");
    assert.match(h.status()?.message ?? "", /^dryRun\[0\]\.metricName "\(" is not a regular expression/);
  });
});

describe("inconclusiveLimit", () => {
  test("inconclusiveLimit 2: Running through 2 inconclusive measurements, Inconclusive at the 3rd", async () => {
    const h = runHarness(
      { metrics: [web("quiet", "none", { interval: "1s", count: 10, inconclusiveLimit: 2 })] },
      { evaluator },
    );
    const phases: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const next = await h.reconcile();
      phases.push(h.status()?.phase);
      h.clock.now += next?.requeueAfterMs ?? 0;
    }
    assert.deepEqual(phases, ["Running", "Running", "Inconclusive"]);
    assert.equal(h.status()?.metricResults?.[0]?.inconclusive, 3);
  });
});

describe("an interval from args", () => {
  test('"{{args.every}}" resolving to "0s" ends the run Error before it measures', async () => {
    const h = runHarness(
      { metrics: [web("errors", "1", { interval: "{{args.every}}" })], args: runArgs({ every: "0s" }) },
      { evaluator },
    );
    assert.equal(await h.reconcile(), undefined);
    assert.equal(h.status()?.phase, "Error");
    assert.equal(
      h.status()?.message,
      'metric "errors": interval "{{args.every}}" resolved to "0s", which is less than 1s: pass at least 1s ("30s") in the analysis arg "every"',
    );
  });
});

describe("a Job metric's args", () => {
  const job = (env: Json[], args: string[] = []) => ({
    name: "check",
    provider: {
      job: {
        metadata: { labels: { version: "{{args.version}}" } },
        spec: {
          template: {
            spec: {
              restartPolicy: "Never",
              containers: [{ name: "c", image: "checker:{{args.version}}", args, env }],
            },
          },
        },
      },
    },
  });
  const spec = (metric: Json) => ({
    metrics: [metric],
    args: runArgs({ version: "v2", token: "secret:token" }),
  });

  test("every string gets its args; a Secret arg as a whole env value becomes valueFrom.secretKeyRef", async () => {
    const h = runHarness(
      spec(
        job(
          [
            { name: "VERSION", value: "{{args.version}}" },
            { name: "TOKEN", value: "{{ args.token }}" },
          ],
          ["--token=$(TOKEN)", "--version={{args.version}}"],
        ),
      ),
      { evaluator, secrets: { token: "hunter2-secret" } },
    );
    await h.reconcile();
    const created = h.jobs[0];
    assert.equal(created?.metadata?.labels?.version, "v2");
    const c = created?.spec?.template.spec?.containers[0];
    assert.equal(c?.image, "checker:v2");
    assert.deepEqual(c?.args, ["--token=$(TOKEN)", "--version=v2"]);
    assert.deepEqual(c?.env, [
      { name: "VERSION", value: "v2" },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "token" } } },
    ]);
    assert.doesNotMatch(JSON.stringify(h.jobs), /hunter2-secret/);
  });

  test("a Secret arg anywhere else ends the run Error naming the field; no Job is created", async () => {
    const h = runHarness(spec(job([], ["--token={{args.token}}"])), {
      evaluator,
      secrets: { token: "hunter2-secret" },
    });
    await h.reconcile();
    assert.equal(h.status()?.phase, "Error");
    assert.equal(
      h.status()?.message,
      'metric "check": spec.metrics[0].provider.job.spec.template.spec.containers[0].args[0] uses the arg "token", which comes from a Secret: a Job would store it in clear text. Pass it as an env var whose whole value is "{{args.token}}" (ramp makes it a valueFrom.secretKeyRef) and refer to that variable, e.g. $(VAR) in command or args',
    );
    assert.equal(h.jobs.length, 0);
  });
});
