// caSecretRef and caFile of the web and prometheus providers against a local HTTPS server whose
// certificate (for 127.0.0.1) a generated CA signed: that CA verifies, another does not, no CA falls back
// to the public roots (which do not know it), a value that is not PEM is named. The real Prometheus
// version is test/integration/analysis/prometheus-ca.test.ts.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { prometheusProvider } from "../../../src/analysis/providers/prometheus.ts";
import { webProvider } from "../../../src/analysis/providers/web.ts";
import { webPolicy } from "../../../src/analysis/providers/web-policy.ts";
import type { Metric } from "../../../src/api/index.ts";
import { measureContext } from "../../support/measure.ts";

const openssl = (dir: string, args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

function makeCa(dir: string, name: string): void {
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`]);
  openssl(dir, [
    "req",
    "-x509",
    "-new",
    "-key",
    `${name}.key`,
    "-days",
    "1",
    "-subj",
    `/CN=${name}`,
    "-out",
    `${name}.pem`,
  ]);
}

describe("a CA bundle for https analysis endpoints (caSecretRef, caFile)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ramp-ca-unit-"));
  let server: Server;
  let url = "";
  const pem = (name: string) => readFileSync(join(dir, `${name}.pem`), "utf8");
  const secrets: Record<string, string> = {};
  const policy = webPolicy({ allow: ["127.0.0.1"] });

  before(async () => {
    makeCa(dir, "ca");
    makeCa(dir, "other");
    openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key"]);
    openssl(dir, ["req", "-new", "-key", "server.key", "-subj", "/CN=127.0.0.1", "-out", "server.csr"]);
    writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      "server.ext",
      "-out",
      "server.pem",
    ]);
    Object.assign(secrets, { "ca.crt": pem("ca"), "other.crt": pem("other"), junk: "hello" });
    server = createServer({ key: readFileSync(join(dir, "server.key")), cert: pem("server") }, (req, res) => {
      res.setHeader("Content-Type", "application/json");
      // Enough of Prometheus' instant-query answer for the prometheus provider.
      if (req.url?.startsWith("/api/v1/query"))
        res.end(JSON.stringify({ status: "success", data: { resultType: "scalar", result: [0, "1"] } }));
      else res.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ctx = (provider: Metric["provider"]) => ({
    ...measureContext({ name: "tls", provider }),
    secret: async (_name: string, key: string) => secrets[key] ?? "",
  });
  const web = (extra: object) =>
    webProvider(policy).measure(ctx({ web: { url: `${url}/`, jsonPath: "{$.ok}", ...extra } }));
  const prom = (extra: object) =>
    prometheusProvider(policy).measure(ctx({ prometheus: { address: url, query: "vector(1)", ...extra } }));
  const ref = (key: string) => ({ caSecretRef: { name: "ca", key } });

  test("web: the signing CA from a Secret or a file verifies; another CA, or none, fails the handshake", async () => {
    assert.deepEqual(await web(ref("ca.crt")), { kind: "value", value: true });
    assert.deepEqual(await web({ caFile: join(dir, "ca.pem") }), { kind: "value", value: true });
    await assert.rejects(web(ref("other.crt")), /unable to verify the first certificate/);
    await assert.rejects(web({ caFile: join(dir, "other.pem") }), /unable to verify the first certificate/);
    await assert.rejects(web({}), /unable to verify the first certificate/);
  });

  test("prometheus: the same, the failure named as a TLS error with the fields to use", async () => {
    assert.deepEqual(await prom(ref("ca.crt")), { kind: "value", value: 1 });
    assert.deepEqual(await prom({ caFile: join(dir, "ca.pem") }), { kind: "value", value: 1 });
    await assert.rejects(
      prom(ref("other.crt")),
      /^Error: prometheus tls_error: .*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): .*add its CA \(caSecretRef, caFile or NODE_EXTRA_CA_CERTS\)/,
    );
    await assert.rejects(prom({}), /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  test("a value that is not PEM, or a file that cannot be read, is an Error naming the field", async () => {
    await assert.rejects(
      web(ref("junk")),
      /^Error: spec\.metrics\[0\]\.provider\.web\.caSecretRef \(Secret "ca" key "junk"\) holds no PEM certificate$/,
    );
    await assert.rejects(
      prom({ caFile: join(dir, "absent.pem") }),
      /spec\.metrics\[0\]\.provider\.prometheus\.caFile .*absent\.pem: cannot read it \(ENOENT\)/,
    );
  });
});
