// A CA bundle for TLS analysis endpoints, on the real control plane against a real Prometheus serving
// TLS (--web.config.file tls_server_config) with a certificate for 127.0.0.1 signed by a CA the test
// generates. Each field is proven both ways: with that CA (from a Secret key or a file) the metric
// measures with verification on; with another generated CA, or none, the measurement is an Error naming
// the TLS failure. Prometheus' and web's fields alike; admission refuses a CA beside insecure: true.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { kubectl } from "../../../dev/kube.ts";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { applyObjects, createRun, secretObject, waitRunDone } from "../../support/e2e/runs.ts";

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });

/** A CA (its own key and self-signed certificate) in `dir`; returns the certificate's path. */
function makeCa(dir: string, name: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
  openssl(["req", "-x509", "-new", "-key", key, "-days", "1", "-subj", `/CN=${name}`, "-out", cert]);
  return { cert, key };
}

/** A serving certificate for 127.0.0.1 signed by `ca`. */
function serving(dir: string, ca: { cert: string; key: string }): { certFile: string; keyFile: string } {
  const keyFile = join(dir, "server.key");
  const csr = join(dir, "server.csr");
  const certFile = join(dir, "server.pem");
  const ext = join(dir, "server.ext");
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyFile]);
  openssl(["req", "-new", "-key", keyFile, "-subj", "/CN=127.0.0.1", "-out", csr]);
  execFileSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1\\n' > '${ext}'`]);
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca.cert,
    "-CAkey",
    ca.key,
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    ext,
    "-out",
    certFile,
  ]);
  return { certFile, keyFile };
}

const TLS_ERROR =
  /^prometheus tls_error: unable to verify the first certificate.*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/;

describe("a CA bundle for TLS analysis endpoints (caSecretRef, caFile) against a real Prometheus", () => {
  let f: Fixture;
  let prom: PrometheusHandle | undefined;
  let dir = "";
  let caFile = "";
  let otherCaFile = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ramp-ca-"));
    const ca = makeCa(dir, "ramp-test-ca");
    const other = makeCa(dir, "another-ca");
    caFile = ca.cert;
    otherCaFile = other.cert;
    const tls = serving(dir, ca);
    prom = await startPrometheus({ scrapeConfigs: [], tls: { ...tls, ca: await readFile(ca.cert, "utf8") } });
    assert.match(prom.url, /^https:\/\/127\.0\.0\.1:/);
    f = await Fixture.create("analysis-ca");
    await applyObjects(f, [
      secretObject("prom-ca", {
        "ca.crt": await readFile(ca.cert, "utf8"),
        "other.crt": await readFile(other.cert, "utf8"),
        "not-pem": "hello",
      }),
    ]);
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await prom?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A run of one metric, one measurement; the first error ends it. */
  const run = async (name: string, provider: object, successCondition = "result[0] == 1") => {
    await createRun(f, name, {
      metrics: [{ name: "up", successCondition, consecutiveErrorLimit: 0, provider }],
    });
    const done = await waitRunDone(f, name);
    return { phase: done.status?.phase, m: done.status?.metricResults?.[0]?.measurements?.[0] };
  };
  const prometheus = (extra: object) => ({
    prometheus: { address: prom?.url ?? "", query: "vector(1)", timeout: 5, ...extra },
  });

  test("prometheus caSecretRef: the CA that signed Prometheus' certificate measures; another CA, or none, is a TLS Error", async () => {
    const ok = await run("secret-ok", prometheus({ caSecretRef: { name: "prom-ca", key: "ca.crt" } }));
    assert.deepEqual([ok.phase, ok.m?.phase, ok.m?.value], ["Successful", "Successful", "[1]"]);
    const other = await run(
      "secret-other",
      prometheus({ caSecretRef: { name: "prom-ca", key: "other.crt" } }),
    );
    assert.deepEqual([other.phase, other.m?.phase], ["Error", "Error"]);
    assert.match(other.m?.message ?? "", TLS_ERROR);
    // Control: without a CA the public roots are used, and they do not know this one.
    const none = await run("secret-none", prometheus({}));
    assert.match(none.m?.message ?? "", TLS_ERROR);
    const notPem = await run(
      "secret-not-pem",
      prometheus({ caSecretRef: { name: "prom-ca", key: "not-pem" } }),
    );
    assert.match(
      notPem.m?.message ?? "",
      /provider\.prometheus\.caSecretRef \(Secret "prom-ca" key "not-pem"\) holds no PEM certificate/,
    );
  });

  test("prometheus caFile: a CA file the controller reads measures; another CA's file is a TLS Error", async () => {
    const ok = await run("file-ok", prometheus({ caFile }));
    assert.deepEqual([ok.phase, ok.m?.value], ["Successful", "[1]"]);
    const other = await run("file-other", prometheus({ caFile: otherCaFile }));
    assert.match(other.m?.message ?? "", TLS_ERROR);
    const missing = await run("file-missing", prometheus({ caFile: join(dir, "absent.pem") }));
    assert.match(
      missing.m?.message ?? "",
      /provider\.prometheus\.caFile .*absent\.pem: cannot read it \(ENOENT\)/,
    );
  });

  test("web caSecretRef and caFile: Prometheus' query API over TLS with the CA measures; another CA fails", async () => {
    const web = (extra: object) => ({
      web: { url: `${prom?.url ?? ""}/api/v1/query?query=vector(1)`, jsonPath: "{$.status}", ...extra },
    });
    const cond = 'result == "success"';
    const secret = await run("web-secret", web({ caSecretRef: { name: "prom-ca", key: "ca.crt" } }), cond);
    assert.deepEqual([secret.phase, secret.m?.value], ["Successful", '"success"']);
    const file = await run("web-file", web({ caFile }), cond);
    assert.deepEqual([file.phase, file.m?.value], ["Successful", '"success"']);
    const other = await run("web-other", web({ caSecretRef: { name: "prom-ca", key: "other.crt" } }), cond);
    assert.equal(other.phase, "Error");
    assert.match(other.m?.message ?? "", /unable to verify the first certificate/);
  });

  test("admission refuses a CA beside insecure: true, and caSecretRef beside caFile, naming the fields", async () => {
    const template = (provider: object) =>
      stringify({
        apiVersion: "ramp.dev/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: "ca-admission", namespace: f.namespace },
        spec: { metrics: [{ name: "up", successCondition: "true", provider }] },
      });
    const refused: [object, RegExp][] = [
      [
        prometheus({ caFile, insecure: true }),
        /a CA \(caSecretRef or caFile\) and insecure\/insecureSkipVerify: true contradict/,
      ],
      [prometheus({ caFile, insecureSkipVerify: true }), /provider\.prometheus: a CA/],
      [
        prometheus({ caFile, caSecretRef: { name: "prom-ca", key: "ca.crt" } }),
        /provider\.prometheus: set one of caSecretRef or caFile/,
      ],
      [{ web: { url: "https://127.0.0.1/", caFile, insecure: true } }, /provider\.web: a CA/],
    ];
    for (const [provider, message] of refused) {
      const res = await kubectl(["apply", "--dry-run=server", "-f", "-"], { input: template(provider) });
      assert.notEqual(res.code, 0, `admitted ${JSON.stringify(provider)}`);
      assert.match(res.stderr, message);
    }
    const fine = await kubectl(["apply", "--dry-run=server", "-f", "-"], {
      input: template(prometheus({ caFile, insecure: false })),
    });
    assert.equal(fine.code, 0, fine.stderr);
  });
});
