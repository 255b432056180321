// kubectl's connection flags against the real apiserver: a connection from flags alone (no kubeconfig),
// its certificate verified, impersonation judged by the apiserver's own RBAC (each --as-group counts),
// and -v 6's request log.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadKubeConfig } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { kubectlRamp } from "../../support/plugin.ts";

describe("kubectl ramp: connection flags on the real control plane", () => {
  let f: Fixture;
  let server = "";
  let token = "";
  const dir = mkdtempSync(join(tmpdir(), "ramp-conn-"));
  const caFile = join(dir, "ca.pem");
  const otherCa = join(dir, "other-ca.pem");
  const none = { KUBECONFIG: join(dir, "no-such-kubeconfig") };

  before(async () => {
    f = await Fixture.create("cli-conn");
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "web",
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    const kc = loadKubeConfig();
    server = kc.getCurrentCluster()?.server ?? "";
    token = kc.getCurrentUser()?.token ?? "";
    assert.ok(server && token, "the local cluster's kubeconfig has a server and a token");
    writeFileSync(caFile, Buffer.from(kc.getCurrentCluster()?.caData ?? "", "base64"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
        "-keyout",
        join(dir, "other.key"),
        "-out",
        otherCa,
        "-days",
        "1",
        "-subj",
        "/CN=other",
      ]),
      { stdio: "ignore" },
    );
  });
  after(() => f?.cleanup());

  const get = (flags: string[], env: NodeJS.ProcessEnv = {}) =>
    kubectlRamp(["get", "rollout", "web", "-n", f.namespace, "-o", "name", ...flags], { env });

  test("--server, --certificate-authority and --token alone, without a kubeconfig", async () => {
    const r = await get(["--server", server, "--certificate-authority", caFile, "--token", token], none);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "rollout.ramp.dev/web\n");
  });

  test("the server's certificate is checked against the CA given; --insecure-skip-tls-verify skips it", async () => {
    const wrong = await get(["--server", server, "--certificate-authority", otherCa, "--token", token], none);
    assert.equal(wrong.code, 1);
    assert.doesNotMatch(wrong.stdout, /rollout\.ramp\.dev/);
    const insecure = await get(["--server", server, "--insecure-skip-tls-verify", "--token", token], none);
    assert.equal(insecure.code, 0, insecure.stderr);
  });

  test("a wrong --token is refused by the apiserver", async () => {
    const r = await get(["--token", "not-a-token"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unauthorized|HTTP 401/);
  });

  test("--as: the apiserver judges the impersonated user", async () => {
    const r = await get(["--as", "nobody"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(Forbidden\): .*User "nobody" cannot get resource "rollouts"/);
  });

  test("each --as-group reaches the apiserver as a group of its own", async () => {
    const one = await get(["--as", "alice", "--as-group", "dev"]);
    assert.equal(one.code, 1);
    assert.match(one.stderr, /Forbidden/);
    // system:masters may do anything: allowed only if the second group is read on its own.
    const two = await get(["--as", "alice", "--as-group", "dev", "--as-group", "system:masters"]);
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.stdout, "rollout.ramp.dev/web\n");
  });

  test("-v 6 logs the request the apiserver answered", async () => {
    const r = await get(["-v=6"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^GET ${server}/apis/ramp\\.dev/v1alpha1/namespaces/${f.namespace}/rollouts/web 200 in \\d+ milliseconds$`,
        "m",
      ),
    );
  });
});
