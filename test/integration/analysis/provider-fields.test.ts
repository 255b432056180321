// Given AnalysisRuns created directly on the real control plane, a loopback endpoint over HTTP and HTTPS
// (self-signed) that echoes what it receives, and a real Prometheus over TLS, when the controller measures
// them, then each provider field changes what is measured: web method and body reach the endpoint,
// timeoutSeconds ends a slow call, insecure and insecureSkipVerify decide whether a self-signed certificate
// is accepted, and a Job metric's metadata.annotations are on the Job it creates.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import type { AnalysisRun } from "../../../src/api/index.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { createRun, waitRunDone } from "../../support/e2e/runs.ts";
import { type EchoServer, startEchoServer } from "../../support/echo-server.ts";

const SLOW_MS = 3000;
const OK = "result.ok == true";

describe("metric provider fields on the real control plane", () => {
  let f: Fixture;
  let echo: EchoServer;
  let tlsProm: PrometheusHandle | undefined;
  before(async () => {
    echo = await startEchoServer(SLOW_MS);
    f = await Fixture.create("provider-fields");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await tlsProm?.stop();
    await echo?.stop();
  });

  const measurement = (run: AnalysisRun, metric: string) =>
    run.status?.metricResults?.find((r) => r.name === metric)?.measurements?.[0];
  const received = (path: string) => echo.received.filter((r) => r.path === path);

  test("web method and body: the endpoint receives POST and PUT with the body, its args filled in", async () => {
    await createRun(f, "web-method", {
      args: [{ name: "version", value: "v2" }],
      metrics: [
        {
          name: "post",
          successCondition: 'result.method == "POST" && result.body == "{\\"version\\":\\"v2\\"}"',
          provider: {
            web: { url: `${echo.http}/post`, method: "POST", body: '{"version":"{{args.version}}"}' },
          },
        },
        {
          name: "put",
          successCondition: 'result.method == "PUT" && result.body == "v=v2"',
          provider: { web: { url: `${echo.http}/put`, method: "PUT", body: "v={{args.version}}" } },
        },
      ],
    });
    const run = await waitRunDone(f, "web-method");
    // Without method the endpoint would see GET; without body, an empty one.
    assert.deepEqual(received("/post"), [{ method: "POST", path: "/post", body: '{"version":"v2"}' }]);
    assert.deepEqual(received("/put"), [{ method: "PUT", path: "/put", body: "v=v2" }]);
    assert.equal(run.status?.phase, "Successful", run.status?.message);
    assert.deepEqual(JSON.parse(measurement(run, "post")?.value ?? "{}"), {
      ok: true,
      method: "POST",
      body: '{"version":"v2"}',
    });
  });

  test(`timeoutSeconds 1 against an endpoint that answers in ${SLOW_MS / 1000} s: an Error measurement naming the timeout; timeoutSeconds 5 waits for the answer`, async () => {
    await createRun(f, "web-timeout", {
      metrics: [
        {
          name: "short",
          successCondition: OK,
          provider: { web: { url: `${echo.http}/slow/short`, timeoutSeconds: 1 } },
        },
        {
          name: "long",
          successCondition: OK,
          provider: { web: { url: `${echo.http}/slow/long`, timeoutSeconds: 5 } },
        },
      ],
    });
    const run = await waitRunDone(f, "web-timeout");
    // Both requests arrived: the slow answer, not a refusal, is what ended the first.
    assert.equal(received("/slow/short").length, 1);
    assert.equal(received("/slow/long").length, 1);
    const short = measurement(run, "short");
    assert.equal(short?.phase, "Error");
    // The default (10 s) would have waited for the answer, as the 5 s metric did.
    assert.match(short?.message ?? "", /^timeout of \d+ms exceeded$/);
    assert.deepEqual(
      [measurement(run, "long")?.phase, JSON.parse(measurement(run, "long")?.value ?? "{}").ok],
      ["Successful", true],
    );
    // finishedAt is when the answer came: the 3 s wait shows between startedAt and finishedAt.
    const long = measurement(run, "long");
    const took = Date.parse(long?.finishedAt ?? "") - Date.parse(long?.startedAt ?? "");
    assert.ok(took >= SLOW_MS - 100, `finishedAt − startedAt is ${took} ms for a ${SLOW_MS} ms answer`);
    assert.equal(run.status?.phase, "Error");
  });

  test("web insecure: true reaches an HTTPS endpoint with a self-signed certificate; without it, an Error naming the certificate", async () => {
    await createRun(f, "web-tls", {
      metrics: [
        {
          name: "skip",
          successCondition: OK,
          provider: { web: { url: `${echo.https}/skip`, insecure: true } },
        },
        { name: "verify", successCondition: OK, provider: { web: { url: `${echo.https}/verify` } } },
      ],
    });
    const run = await waitRunDone(f, "web-tls");
    assert.deepEqual(
      [measurement(run, "skip")?.phase, measurement(run, "skip")?.value],
      ["Successful", JSON.stringify({ ok: true, method: "GET", body: "" })],
    );
    assert.equal(received("/skip").length, 1);
    const verify = measurement(run, "verify");
    assert.equal(verify?.phase, "Error");
    assert.match(verify?.message ?? "", /self-signed certificate/);
    assert.equal(received("/verify").length, 0, "the TLS handshake failed before any request");
  });

  test("prometheus insecureSkipVerify: true measures a Prometheus over TLS with a self-signed certificate; without it, an Error naming TLS", async () => {
    tlsProm = await startPrometheus({
      scrapeConfigs: [],
      tls: { certFile: echo.certFile, keyFile: echo.keyFile, ca: echo.cert },
    });
    assert.match(tlsProm.url, /^https:/);
    const prom = (extra: object) => ({
      prometheus: { address: tlsProm?.url ?? "", query: "vector(1)", timeout: 5, ...extra },
    });
    await createRun(f, "prom-tls", {
      metrics: [
        { name: "skip", successCondition: "result[0] == 1", provider: prom({ insecureSkipVerify: true }) },
        { name: "verify", successCondition: "result[0] == 1", provider: prom({}) },
      ],
    });
    const run = await waitRunDone(f, "prom-tls");
    assert.deepEqual(
      [measurement(run, "skip")?.phase, measurement(run, "skip")?.value],
      ["Successful", "[1]"],
    );
    const verify = measurement(run, "verify");
    assert.equal(verify?.phase, "Error");
    assert.match(
      verify?.message ?? "",
      /^prometheus tls_error: self-signed certificate.* \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
    );
  });

  test("a Job metric's metadata.annotations are on the Job it creates, args filled in; the measurement's metadata names that Job", async () => {
    await createRun(f, "job-notes", {
      args: [{ name: "version", value: "7" }],
      metrics: [
        {
          name: "check",
          provider: {
            job: {
              metadata: {
                annotations: { "example.com/version": "v{{args.version}}", "example.com/owner": "payments" },
              },
              spec: {
                backoffLimit: 0,
                template: {
                  spec: {
                    restartPolicy: "Never",
                    terminationGracePeriodSeconds: 0,
                    containers: [{ name: "check", image: "checker:1" }],
                  },
                },
              },
            },
          },
        },
      ],
    });
    const run = await waitRunDone(f, "job-notes", 90_000);
    assert.equal(run.status?.phase, "Successful", run.status?.message);
    const res = await kubectl([
      "get",
      "jobs",
      "-n",
      f.namespace,
      "-l",
      "ramp.dev/analysisrun=job-notes",
      "-o",
      "json",
    ]);
    assert.equal(res.code, 0, res.stderr);
    type Job = { metadata: { name: string; annotations?: Record<string, string> } };
    const jobs = (JSON.parse(res.stdout) as { items: Job[] }).items;
    assert.equal(jobs.length, 1);
    const annotations = jobs[0]?.metadata.annotations ?? {};
    assert.deepEqual(
      [annotations["example.com/version"], annotations["example.com/owner"]],
      ["v7", "payments"],
    );
    // The measurement that waited for the Job names it: what a restarted controller resumes from.
    const m = measurement(run, "check");
    assert.deepEqual(m?.metadata, { job: jobs[0]?.metadata.name });
    assert.match(m?.message ?? "", /^job .* succeeded$/);
  });
});
