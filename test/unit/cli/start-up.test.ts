// What a `kubectl ramp` process loads (docs/plugin.md, Start-up): each run is bin/kubectl-ramp as a whole
// process with a module hook that reports what was loaded, against an HTTP server standing for the
// apiserver. client-node is loaded only when the kubeconfig needs it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { repoRoot } from "../../../dev/yaml.ts";

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "ramp-start-up-"));
const hook = join(dir, "hook.mjs");
writeFileSync(
  hook,
  `import { registerHooks } from "node:module";
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
process.on("exit", () => process.stderr.write("LOADED " + JSON.stringify(seen) + "\\n"));
`,
);

const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
const server = createServer((req, res) => {
  requests.push({ url: req.url ?? "", headers: req.headers });
  res.writeHead(404, { "content-type": "application/json" });
  res.end(
    JSON.stringify({ kind: "Status", code: 404, reason: "NotFound", message: "not here (test server)" }),
  );
});
let url = "";

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function kubeconfig(name: string, user: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: c
clusters: [{name: c, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: ${user}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]
`,
  );
  return file;
}

/** Runs bin/kubectl-ramp ARGS; returns its output and the URLs of the modules it loaded. */
async function plugin(args: string[], config: string) {
  const r = await exec(join(repoRoot, "bin", "kubectl-ramp"), args, {
    env: { ...process.env, KUBECONFIG: config, NODE_OPTIONS: `--import=${hook}` },
  }).catch((err: { stdout: string; stderr: string; code: number }) => err);
  const line = /^LOADED (.*)$/m.exec(r.stderr)?.[1];
  assert.ok(line, r.stderr);
  const loaded = JSON.parse(line) as string[];
  return {
    stdout: r.stdout,
    stderr: r.stderr.replace(/^LOADED .*\n/m, ""),
    loaded,
    clientNode: loaded.some((u) => u.includes("/@kubernetes/client-node/")),
  };
}

describe("start-up: what a run loads", () => {
  test("--help loads none of the plugin's packages", async () => {
    const r = await plugin(["--help"], join(dir, "none"));
    assert.match(r.stdout, /kubectl ramp drives ramp Rollouts/);
    assert.deepEqual(
      r.loaded.filter((u) => u.includes("/node_modules/")),
      [],
    );
  });

  test("get rollout with a token: the request is sent without loading client-node", async () => {
    requests.length = 0;
    const r = await plugin(["get", "rollout", "web"], kubeconfig("token", "{token: light-token}"));
    assert.match(r.stderr, /Error from server \(NotFound\): not here \(test server\)/);
    assert.equal(requests[0]?.url, "/apis/ramp.dev/v1alpha1/namespaces/shop/rollouts/web");
    assert.equal(requests[0]?.headers.authorization, "Bearer light-token");
    assert.equal(r.clientNode, false);
  });

  test("an exec plugin's user goes through client-node, which runs it", async () => {
    requests.length = 0;
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: "exec-token" },
    });
    const user = `{exec: {apiVersion: client.authentication.k8s.io/v1, command: sh, args: ["-c", ${JSON.stringify(`echo '${credential}'`)}], interactiveMode: Never}}`;
    const r = await plugin(["get", "rollout", "web"], kubeconfig("exec", user));
    assert.match(r.stderr, /Error from server \(NotFound\): not here \(test server\)/);
    assert.equal(requests[0]?.headers.authorization, "Bearer exec-token");
    assert.equal(r.clientNode, true);
  });

  test("--token replaces the exec plugin, so client-node is not needed", async () => {
    requests.length = 0;
    const user = `{exec: {apiVersion: client.authentication.k8s.io/v1, command: false}}`;
    const r = await plugin(["get", "rollout", "web", "--token", "flag-token"], kubeconfig("exec-flag", user));
    assert.equal(requests[0]?.headers.authorization, "Bearer flag-token");
    assert.equal(r.clientNode, false);
  });
});
