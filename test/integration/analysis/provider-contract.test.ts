// Given the worked example of ramp's provider contract (examples/provider-contract/server.mjs, run as a
// process) and its AnalysisTemplate, when AnalysisRuns measure through it on the real control plane, then
// a value under the threshold passes, one over fails, no value follows noData, the service's error and a
// wrong token are Error measurements naming the cause, and admission refuses a body beside contract.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { applyObjects, createRun, secretObject, waitRunDone } from "../../support/e2e/runs.ts";

const EXAMPLE = join(repoRoot, "examples", "provider-contract");
const TOKEN = "c0ntract-t0ken-8d2e";

describe("the provider contract's worked example on the real control plane", { concurrency: true }, () => {
  let f: Fixture;
  let service: ChildProcess;
  let url = "";
  const values = join(mkdtempSync(join(tmpdir(), "ramp-contract-")), "values.json");
  /** The example template's metric, pointed at the service started here. */
  const metric = (() => {
    const t = parse(readFileSync(join(EXAMPLE, "analysis-template.yaml"), "utf8")) as {
      spec: { metrics: { provider: { web: { url: string } } }[] };
    };
    return t.spec.metrics[0] as Record<string, unknown> & { provider: { web: Record<string, unknown> } };
  })();

  before(async () => {
    writeFileSync(
      values,
      JSON.stringify({
        "error-rate/good": 0.002,
        "error-rate/bad": 0.2,
        "error-rate/broken": "backend timed out",
      }),
    );
    const port = 20000 + Math.floor(Math.random() * 20000);
    service = spawn(process.execPath, [join(EXAMPLE, "server.mjs")], {
      env: { ...process.env, PORT: String(port), VALUES_FILE: values, TOKEN },
      stdio: "ignore",
    });
    url = `http://127.0.0.1:${port}/measure`;
    await waitFor(
      async () => (await fetch(url, { method: "POST" }).catch(() => undefined))?.status === 401 || undefined,
      {
        what: "the example service to listen",
      },
    );
    f = await Fixture.create("contract");
    await applyObjects(f, [
      secretObject("metric-service", { authorization: `Bearer ${TOKEN}`, wrong: "Bearer nope" }),
    ]);
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    service?.kill();
  });

  /** A run of the example's metric (one measurement) for the version `hash`, with `key` of the Secret. */
  const measure = async (name: string, hash: string, key = "authorization") => {
    const web = { ...metric.provider.web, url };
    const headers = [{ key: "Authorization", valueFrom: { secretKeyRef: { name: "metric-service", key } } }];
    await createRun(f, name, {
      args: [{ name: "canary-hash", value: hash }],
      metrics: [
        {
          ...metric,
          interval: undefined,
          count: 1,
          failureLimit: 0,
          consecutiveErrorLimit: 0,
          provider: { web: { ...web, headers } },
        },
      ],
    });
    const run = await waitRunDone(f, name);
    return { phase: run.status?.phase, m: run.status?.metricResults?.[0]?.measurements?.[0] };
  };

  test("under the threshold passes and over it fails, judged by the template's condition", async () => {
    const [good, bad] = await Promise.all([measure("good", "good"), measure("bad", "bad")]);
    assert.deepEqual([good.phase, good.m?.value], ["Successful", "0.002"]);
    assert.deepEqual([bad.phase, bad.m?.value], ["Failed", "0.2"]);
    assert.match(bad.m?.message ?? "", /did not meet successCondition "result < 0.01"/);
  });

  test("no value is no data (noData policy); the service's error and a refused token are Errors naming why", async () => {
    const [none, broken, refused] = await Promise.all([
      measure("none", "unknown-version"),
      measure("broken", "broken"),
      measure("refused", "good", "wrong"),
    ]);
    assert.equal(none.m?.phase, "Inconclusive");
    assert.match(none.m?.message ?? "", /^no data/);
    assert.equal(broken.phase, "Error");
    assert.match(broken.m?.message ?? "", /\/measure: backend timed out$/);
    assert.equal(refused.phase, "Error");
    assert.match(refused.m?.message ?? "", /^POST http:\/\/127\.0\.0\.1:\d+\/measure answered 401$/);
  });

  test("admission refuses body, method or jsonPath beside contract, naming the fix", async () => {
    const res = await kubectl(["apply", "--server-side", "-n", f.namespace, "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "ramp.dev/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: "contract-with-body" },
        spec: {
          metrics: [{ name: "m", provider: { web: { url, contract: "metrics.ramp.dev/v1", body: "{}" } } }],
        },
      }),
    });
    assert.notEqual(res.code, 0);
    assert.match(
      res.stderr,
      /with contract, ramp writes the request and reads the value itself: remove method, body and jsonPath/,
    );
  });
});
