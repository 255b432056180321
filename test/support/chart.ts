// The Helm chart under test: helm itself (built from its Go module by scripts/cluster/build-helm.sh),
// rendering with values, server-side applying what it renders, and a kubeconfig that authenticates as
// the chart's ServiceAccount so the real controller runs with exactly the chart's RBAC.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { applyCrds, fetchCrds, oncePerProcess } from "../../dev/crds.ts";
import { type KubectlResult, kubectl, loadKubeConfig } from "../../dev/kube.ts";
import { repoRoot } from "../../dev/yaml.ts";

export const chartDir = join(repoRoot, "chart");
const scripts = join(repoRoot, "scripts", "cluster");

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
};

let helmPath: string | undefined;

/** The pinned helm binary, built on first use (progress on stderr; minutes the first time only). */
export function helmBinary(): string {
  if (helmPath) return helmPath;
  const built = spawnSync("bash", [join(scripts, "build-helm.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const path = built.stdout.trim().split("\n").pop();
  if (built.status !== 0 || !path) {
    throw new Error(`ramp: scripts/cluster/build-helm.sh failed (exit ${built.status ?? built.signal})`);
  }
  helmPath = path;
  return path;
}

/** Runs helm with HOME-independent cache/config dirs, so it never reads a user's repositories. */
export function helm(args: readonly string[]): Promise<KubectlResult> {
  const bin = helmBinary();
  const home = join(repoRoot, ".ramp", "helm");
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ stdout, stderr, code: code ?? (signal ? 128 : 1) }));
  });
}

export type RenderOptions = {
  release: string;
  namespace: string;
  values?: Record<string, unknown>;
  includeCrds?: boolean;
};

/** Writes values to a temporary file (helm reads YAML; --set cannot express lists of objects well). */
function withValuesFile<T>(values: Record<string, unknown>, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "ramp-values-"));
  const file = join(dir, "values.yaml");
  writeFileSync(file, stringify(values));
  return fn(file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** `helm template` output, or the failed result (for tests of what the chart refuses). */
export function template(opts: RenderOptions): Promise<KubectlResult> {
  return withValuesFile(opts.values ?? {}, (file) =>
    helm([
      "template",
      opts.release,
      chartDir,
      "--namespace",
      opts.namespace,
      "--values",
      file,
      ...(opts.includeCrds ? ["--include-crds"] : []),
    ]),
  );
}

/** `helm install --dry-run=client`: what an install would print, NOTES.txt included; no cluster needed. */
export function installDryRun(opts: RenderOptions): Promise<KubectlResult> {
  return withValuesFile(opts.values ?? {}, (file) =>
    helm([
      "install",
      opts.release,
      chartDir,
      "--namespace",
      opts.namespace,
      "--dry-run=client",
      "--values",
      file,
    ]),
  );
}

/** `helm lint --strict` with these values. */
export function lint(values: Record<string, unknown> = {}): Promise<KubectlResult> {
  return withValuesFile(values, (file) => helm(["lint", "--strict", chartDir, "--values", file]));
}

/** Renders the chart and parses every document; throws with helm's message when it fails. */
export async function render(opts: RenderOptions): Promise<Manifest[]> {
  const out = await template(opts);
  if (out.code !== 0) throw new Error(`helm template failed: ${out.stderr}`);
  return parseManifests(out.stdout);
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value as Manifest];
  });
}

/** The one object of this kind (and name, when given); throws naming what is missing. */
export function find(docs: readonly Manifest[], kind: string, name?: string): Manifest {
  const hit = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (hit.length !== 1) {
    const have = docs.map((d) => `${d.kind}/${d.metadata.name}`).join(", ");
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${hit.length} among: ${have}`);
  }
  return hit[0] as Manifest;
}

/** Server-side applies the manifests (cluster-scoped ones too); resolves with kubectl's warnings. */
export async function applyManifests(docs: readonly Manifest[]): Promise<string> {
  const input = docs.map((d) => `---\n${stringify(d)}`).join("");
  const res = await kubectl(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=ramp-chart-tests", "-f", "-"],
    { input, timeoutMs: 120_000 },
  );
  if (res.code !== 0) throw new Error(`server-side apply of the rendered chart failed:\n${res.stderr}`);
  return res.stderr;
}

/** Deletes the cluster-scoped objects a release rendered (namespaces take the rest with them). */
export async function deleteClusterScoped(docs: readonly Manifest[]): Promise<void> {
  for (const d of docs.filter((x) => x.kind === "ClusterRole" || x.kind === "ClusterRoleBinding")) {
    await kubectl(["delete", d.kind.toLowerCase(), d.metadata.name, "--ignore-not-found", "--wait=false"]);
  }
}

/** Whether the apiserver serves this resource (e.g. servicemonitors.monitoring.coreos.com). */
export async function served(resource: string, group: string): Promise<boolean> {
  const res = await kubectl(["api-resources", `--api-group=${group}`, "-o", "name"]);
  return res.code === 0 && res.stdout.split("\n").includes(`${resource}.${group}`);
}

/** Installs the Prometheus Operator's ServiceMonitor and PrometheusRule CRDs (fetched from its Go module). */
export const installMonitoringCrds = oncePerProcess(() =>
  applyCrds(
    fetchCrds("monitoring-crds.sh").files,
    ["servicemonitors", "prometheusrules"].map((r) => `${r}.monitoring.coreos.com`),
    "monitoring CRDs",
  ),
);

/**
 * A kubeconfig file that authenticates as `system:serviceaccount:<namespace>:<name>` with a fresh
 * TokenRequest token, against the local cluster's server and CA. The caller removes `dir`.
 */
export async function serviceAccountKubeconfig(
  namespace: string,
  name: string,
): Promise<{ path: string; dir: string }> {
  const token = await kubectl(["create", "token", name, "-n", namespace, "--duration=2h"]);
  if (token.code !== 0) throw new Error(`kubectl create token ${namespace}/${name}: ${token.stderr}`);
  const admin = loadKubeConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("the local kubeconfig has no current cluster");
  const ca = cluster.caData ? { "certificate-authority-data": cluster.caData } : undefined;
  const caFile = cluster.caFile ? { "certificate-authority": cluster.caFile } : undefined;
  const user = `system:serviceaccount:${namespace}:${name}`;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server: cluster.server, ...(ca ?? caFile ?? {}) } }],
    users: [{ name: user, user: { token: token.stdout.trim() } }],
    contexts: [{ name: "sa", context: { cluster: "local", user, namespace } }],
    "current-context": "sa",
  };
  const dir = mkdtempSync(join(tmpdir(), "ramp-sa-"));
  const path = join(dir, "kubeconfig");
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return { path, dir };
}

/** `kubectl auth can-i` as the ServiceAccount: true for "yes", false for "no", throws on anything else. */
export async function canI(
  as: string,
  verb: string,
  resource: string,
  scope: { namespace?: string; allNamespaces?: boolean; name?: string; subresource?: string } = {},
): Promise<boolean> {
  const target = scope.name ? `${resource}/${scope.name}` : resource;
  const args = ["auth", "can-i", verb, target, "--as", as];
  if (scope.subresource) args.push(`--subresource=${scope.subresource}`);
  if (scope.allNamespaces) args.push("--all-namespaces");
  else if (scope.namespace) args.push("-n", scope.namespace);
  const res = await kubectl(args);
  const answer = res.stdout.trim();
  if (answer === "yes") return true;
  if (answer === "no" || answer.startsWith("no -")) return false;
  throw new Error(`kubectl ${args.join(" ")} answered neither yes nor no: ${res.stdout}${res.stderr}`);
}
