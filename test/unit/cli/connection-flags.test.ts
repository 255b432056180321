// kubectl's connection flags, seen from the server's side: an HTTPS server with a certificate of its own
// (from openssl) stands where the apiserver would and records what each `kubectl ramp` run sent.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ramp } from "./io.ts";

const dir = mkdtempSync(join(tmpdir(), "ramp-flags-"));
const caFile = join(dir, "ca.pem");
const keyFile = join(dir, "key.pem");
execFileSync(
  "openssl",
  ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    .concat(["-keyout", keyFile, "-out", caFile, "-days", "1", "-subj", "/CN=localhost"])
    .concat(["-addext", "subjectAltName=IP:127.0.0.1"]),
  { stdio: "ignore" },
);

type Seen = { method: string; url: string; headers: IncomingMessage["headersDistinct"] };
const seen: Seen[] = [];
/** Requests to this path are never answered (for --request-timeout). */
const HANG = "/apis/ramp.dev/v1alpha1/namespaces/hang/rollouts/web";

const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headersDistinct });
  if (req.url === HANG) return;
  res.writeHead(404, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      message: `rollouts.ramp.dev "web" not found (seen by the test server)`,
    }),
  );
});
let url = "";
let kubeconfig = "";

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The context's cluster is a port nothing listens on; "other" is the test server.
  kubeconfig = join(dir, "config");
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: main
clusters:
- name: nowhere
  cluster: {server: "https://127.0.0.1:1"}
- name: other
  cluster: {server: "${url}", certificate-authority: ${caFile}}
users:
- name: main-user
  user: {token: main-token}
- name: other-user
  user: {token: other-token}
contexts:
- name: main
  context: {cluster: nowhere, user: main-user, namespace: ctx-ns}
`,
  );
});
after(() => server.close());

/** Runs `kubectl ramp get rollout web ARGS`; returns the result and the requests the server saw. */
async function get(args: string[]) {
  seen.length = 0;
  const r = await ramp(["get", "rollout", "web", ...args], { env: { KUBECONFIG: kubeconfig } });
  return { ...r, requests: [...seen] };
}

describe("kubectl's connection flags", () => {
  test("--cluster and --user pick kubeconfig entries other than the context's", async () => {
    const r = await get(["--cluster", "other", "--user", "other-user"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(NotFound\): .*seen by the test server/);
    assert.deepEqual(r.requests[0]?.headers.authorization, ["Bearer other-token"]);
    assert.equal(r.requests[0]?.url, "/apis/ramp.dev/v1alpha1/namespaces/ctx-ns/rollouts/web");
  });

  test("-s, --token and --certificate-authority replace the context's server and credential", async () => {
    const r = await get(["-s", url, "--token", "flag-token", "--certificate-authority", caFile, "-n=shop"]);
    assert.match(r.stderr, /seen by the test server/);
    assert.deepEqual(r.requests[0]?.headers.authorization, ["Bearer flag-token"]);
    assert.equal(r.requests[0]?.url, "/apis/ramp.dev/v1alpha1/namespaces/shop/rollouts/web");
  });

  test("the server's certificate is verified: without its CA the request is refused", async () => {
    const r = await get(["--server", url]);
    assert.equal(r.code, 1);
    assert.equal(r.requests.length, 0, "no request reached the server");
    assert.doesNotMatch(r.stderr, /seen by the test server/);
  });

  test("--insecure-skip-tls-verify reaches it without the CA", async () => {
    const r = await get(["--server", url, "--insecure-skip-tls-verify"]);
    assert.match(r.stderr, /seen by the test server/);
  });

  test("--insecure-skip-tls-verify with --certificate-authority is a usage error, as in kubectl", async () => {
    const r = await get(["-s", url, "--insecure-skip-tls-verify", "--certificate-authority", caFile]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /cannot both be given/);
  });

  test("--as and each --as-group become impersonation headers, one per group", async () => {
    const r = await get(["--cluster", "other", "--as", "alice", "--as-group", "dev", "--as-group", "ops"]);
    assert.match(r.stderr, /seen by the test server/);
    assert.deepEqual(r.requests[0]?.headers["impersonate-user"], ["alice"]);
    assert.deepEqual(r.requests[0]?.headers["impersonate-group"], ["dev", "ops"]);
  });

  test("--as-group without --as is refused", async () => {
    const r = await get(["--cluster", "other", "--as-group", "dev"]);
    assert.equal(r.code, 64);
  });

  test("--request-timeout ends a request the server never answers", async () => {
    const started = Date.now();
    const r = await get(["--cluster", "other", "-n", "hang", "--request-timeout", "300ms"]);
    assert.equal(r.code, 1);
    assert.equal(r.requests[0]?.url, HANG);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  test("--request-timeout takes kubectl's bare seconds and refuses what is not a duration", async () => {
    assert.equal((await get(["--cluster", "other", "--request-timeout", "5"])).requests.length, 1);
    const bad = await get(["--cluster", "other", "--request-timeout", "soon"]);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /--request-timeout/);
  });

  test("-v=6 logs each request: method, URL, status and time", async () => {
    const r = await get(["--cluster", "other", "-v=6"]);
    assert.match(
      r.stderr,
      new RegExp(`GET ${url}/apis/ramp.dev/v1alpha1/namespaces/ctx-ns/rollouts/web 404 in \\d+ milliseconds`),
    );
  });

  test("-v 7 logs the headers too, with the credential masked", async () => {
    const r = await get(["--cluster", "other", "--user", "other-user", "-v", "7"]);
    assert.match(r.stderr, /Authorization: Bearer <masked>/);
    assert.doesNotMatch(r.stderr, /other-token/);
  });

  test("without -v nothing is logged", async () => {
    const r = await get(["--cluster", "other"]);
    assert.doesNotMatch(r.stderr, /milliseconds/);
  });
});
