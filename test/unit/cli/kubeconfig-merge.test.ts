// The plugin and the controller read several kubeconfig files as kubectl does: for each layout, what
// they select is compared with the real `kubectl config view --minify --flatten` (no cluster needed).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { binaries } from "../../../dev/cluster/paths.ts";
import { CliContext, type Io } from "../../../src/cli/context.ts";
import { loadConnection } from "../../../src/kube/kubeconfig.ts";
import { capture } from "./io.ts";

const exec = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "ramp-kubeconfig-"));

/** Writes a file under the layout's directory; returns its path. */
function put(rel: string, text: string): string {
  const path = join(root, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

// Each directory has CA and certificate files of its own, so a path resolved against the wrong file's
// directory reads different bytes.
for (const dir of ["a", "b", "c"]) {
  put(`${dir}/ca.crt`, `ca of ${dir}\n`);
  put(`${dir}/client.crt`, `cert of ${dir}\n`);
  put(`${dir}/client.key`, `key of ${dir}\n`);
}

const A = put(
  "a/config",
  `apiVersion: v1
kind: Config
current-context: ctx-a
clusters:
- name: shared
  cluster: {server: "https://a.example:6443", certificate-authority: ca.crt}
users:
- name: shared-user
  user: {token: token-a}
contexts:
- name: ctx-a
  context: {cluster: shared, user: shared-user, namespace: ns-a}
`,
);
const B = put(
  "b/config",
  `apiVersion: v1
kind: Config
current-context: ctx-b
clusters:
- name: shared
  cluster: {server: "https://b.example:6443", certificate-authority: ca.crt}
- name: only-b
  cluster: {server: "https://only-b.example:6443", certificate-authority: ca.crt}
users:
- name: shared-user
  user: {token: token-b}
- name: cert-user
  user: {client-certificate: client.crt, client-key: client.key}
contexts:
- name: ctx-b
  context: {cluster: only-b, user: cert-user}
- name: ctx-a
  context: {cluster: only-b, user: cert-user, namespace: ns-from-b}
- name: ctx-shared
  context: {cluster: shared, user: cert-user, namespace: ns-shared}
`,
);
// No current-context: a file that only adds entries.
const C = put(
  "c/config",
  `apiVersion: v1
kind: Config
clusters:
- name: only-c
  cluster: {server: "https://only-c.example:6443", certificate-authority: ca.crt}
users:
- name: shared-user
  user: {token: token-c}
contexts:
- name: ctx-c
  context: {cluster: only-c, user: shared-user, namespace: ns-c}
`,
);
const MISSING = join(root, "missing/config");

type Seen = { context: string; server: string; ca: string; token?: string; cert?: string; namespace: string };

const decode = (b64: string | undefined) => (b64 ? Buffer.from(b64, "base64").toString("utf8") : undefined);

/** What kubectl selects: `kubectl config view --minify --flatten --raw` under the same files and flags. */
async function kubectlSees(env: { KUBECONFIG?: string }, flags: string[]): Promise<Seen> {
  const { stdout } = await exec(
    binaries().kubectl,
    ["config", "view", "--minify", "--flatten", "--raw", "-o", "json", ...flags],
    { env: { PATH: process.env.PATH ?? "", HOME: root, ...env } },
  );
  const doc = JSON.parse(stdout);
  const cluster = doc.clusters[0].cluster;
  const user = doc.users[0].user;
  return {
    context: doc["current-context"],
    server: cluster.server,
    ca: decode(cluster["certificate-authority-data"]) ?? "",
    ...(user.token ? { token: user.token } : {}),
    ...(user["client-certificate-data"] ? { cert: decode(user["client-certificate-data"]) ?? "" } : {}),
    namespace: doc.contexts[0].context.namespace ?? "default",
  };
}

/** What the plugin selects, through the CliContext every command uses. */
function pluginSees(env: { KUBECONFIG?: string }, flags: Record<string, string>): Seen {
  const io: Io = {
    stdout: capture(),
    stderr: capture(),
    stdin: async () => "",
    env: { HOME: root, ...env },
    signal: new AbortController().signal,
    now: () => new Date(),
  };
  const ctx = new CliContext(io, flags, []);
  const kc = ctx.kubeConfig();
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  assert.ok(cluster && user);
  return {
    context: kc.getCurrentContext(),
    server: cluster.server,
    ca: cluster.caFile ? readFileSync(cluster.caFile, "utf8") : "",
    ...(user.token ? { token: user.token } : {}),
    ...(user.certFile ? { cert: readFileSync(user.certFile, "utf8") } : {}),
    namespace: ctx.namespace(),
  };
}

/** What the controller's loader selects. */
async function controllerSees(env: { KUBECONFIG?: string }, flags: Record<string, string>): Promise<Seen> {
  const saved = process.env.KUBECONFIG;
  if (env.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = env.KUBECONFIG;
  try {
    const conn = loadConnection({
      ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context ? { context: flags.context } : {}),
    });
    const creds = await conn.credentials();
    return {
      context: /"(.*)"/.exec(conn.describe)?.[1] ?? "",
      server: conn.server,
      ca: conn.ca ?? "",
      ...(creds.token ? { token: creds.token } : {}),
      ...(creds.cert ? { cert: creds.cert } : {}),
      namespace: conn.namespace,
    };
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
}

const layouts: [string, string, Record<string, string>, Partial<Seen>][] = [
  // The safety bug: the plugin used b's current-context here, kubectl and the controller a's.
  [
    "a:b, both set current-context: the first file's wins",
    `${A}:${B}`,
    {},
    { context: "ctx-a", token: "token-a" },
  ],
  ["b:a: the other order, the other context", `${B}:${A}`, {}, { context: "ctx-b", cert: "cert of b\n" }],
  ["c:b: a file without current-context does not hide the next one's", `${C}:${B}`, {}, { context: "ctx-b" }],
  [
    "b:c --context ctx-c: a later file's context, its user name taken by the first file",
    `${B}:${C}`,
    { context: "ctx-c" },
    { server: "https://only-c.example:6443", ca: "ca of c\n", token: "token-b" },
  ],
  [
    "a:b --context ctx-shared: a name two files define goes to the first file, its path resolved against it",
    `${A}:${B}`,
    { context: "ctx-shared" },
    { server: "https://a.example:6443", ca: "ca of a\n", cert: "cert of b\n" },
  ],
  [
    "b:a, same context name in both: the first file's whole",
    `${B}:${A}`,
    { context: "ctx-a" },
    { namespace: "ns-from-b" },
  ],
  ["a missing file first is skipped", `${MISSING}:${B}:${A}`, {}, { context: "ctx-b" }],
  ["a file listed twice is read once", `${A}:${B}:${A}`, {}, { context: "ctx-a" }],
  ["empty entries are ignored", `:${C}::${A}`, {}, { context: "ctx-a", namespace: "ns-a" }],
  ["--kubeconfig replaces $KUBECONFIG", `${A}:${B}`, { kubeconfig: B }, { context: "ctx-b" }],
];

describe("kubeconfig files merged as kubectl merges them", () => {
  for (const [name, kubeconfig, flags, expected] of layouts) {
    test(name, async () => {
      const env = { KUBECONFIG: kubeconfig };
      const argv = Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]);
      const kubectl = await kubectlSees(env, argv);
      assert.deepEqual(pluginSees(env, flags), kubectl, "the plugin selects what kubectl selects");
      assert.deepEqual(
        await controllerSees(env, flags),
        kubectl,
        "the controller selects what kubectl selects",
      );
      for (const [key, value] of Object.entries(expected))
        assert.equal(
          kubectl[key as keyof Seen],
          value,
          `kubectl's own ${key} (the layout means what it says)`,
        );
    });
  }

  test("no KUBECONFIG: ~/.kube/config, as kubectl", async () => {
    put(
      ".kube/config",
      readFileSync(B, "utf8").replace(/(ca|client)\.(crt|key)/g, (f) => join(root, "b", f)),
    );
    const kubectl = await kubectlSees({}, []);
    assert.equal(kubectl.context, "ctx-b");
    assert.deepEqual(pluginSees({}, {}), kubectl);
  });

  test("a file naming a cluster twice is refused, as kubectl refuses it", async () => {
    const dup = put(
      "dup/config",
      `${readFileSync(A, "utf8")}`.replace(
        "clusters:\n",
        'clusters:\n- name: shared\n  cluster: {server: "https://dup.example:6443"}\n',
      ),
    );
    await assert.rejects(kubectlSees({ KUBECONFIG: dup }, []), /duplicate name "shared"/);
    assert.throws(() => pluginSees({ KUBECONFIG: dup }, {}), /names cluster "shared" twice/);
  });
});
