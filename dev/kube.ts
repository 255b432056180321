// Helpers tests use to talk to the local cluster: its kubeconfig, a client, its own kubectl, throwaway
// namespaces, and polling with a message that says what never happened.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiException, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { TRAFFIC_FINALIZER } from "../src/api/labels.ts";
import { binaries, localPaths } from "./cluster/paths.ts";

export function kubeconfigPath(): string {
  return localPaths().kubeconfig;
}

/** A client config for the local cluster; throws with the fix when it is not running. */
export function loadKubeConfig(): KubeConfig {
  const path = kubeconfigPath();
  if (!existsSync(path)) {
    throw new Error(`ramp: no local cluster kubeconfig at ${path}. Start the cluster: npm run cluster:up`);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs the cluster's own kubectl (same build as the apiserver) against the local kubeconfig; never throws on exit code. */
export function kubectl(
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  const bin = binaries().kubectl;
  if (!existsSync(bin)) {
    return Promise.reject(new Error(`ramp: kubectl not built at ${bin}. Build it: npm run cluster:build`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["--kubeconfig", kubeconfigPath(), ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? 60_000,
    });
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
    child.stdin.end(opts.input ?? "");
  });
}

export interface WaitForOptions {
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `fn` until it returns a truthy value and resolves with it. Errors thrown by `fn` count as
 * "not yet"; on timeout the error names `what` and includes the last error or value seen.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: WaitForOptions,
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let last = "no attempt finished";
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = `last result: ${JSON.stringify(value)}`;
    } catch (err) {
      last = `last error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${opts.what} (${last})`);
    await sleep(opts.intervalMs ?? 200);
  }
}

/** Label on every namespace tests create, so leftovers can be found and removed. */
export const testNamespaceLabel = "ramp.dev/test";

/**
 * Creates a uniquely named namespace and waits for its `default` ServiceAccount (pods are rejected
 * until it exists). The caller deletes it, e.g. with deleteTestNamespace in an `after` hook.
 */
export async function createTestNamespace(
  prefix: string,
  kc: KubeConfig = loadKubeConfig(),
): Promise<string> {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  const name = `${base || "test"}-${randomBytes(4).toString("hex")}`;
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name, labels: { [testNamespaceLabel]: "true" } } } });
  await waitFor(() => core.readNamespacedServiceAccount({ name: "default", namespace: name }), {
    what: `ServiceAccount default in namespace ${name}`,
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  return name;
}

/**
 * Deletes a namespace and, unless `wait` is false, waits until it is gone. The namespace controller
 * waits 5 s before it starts, and longer while pods with a grace period remain (estimate/2 + 1 s), so
 * `after` hooks usually pass `wait: false`; use terminationGracePeriodSeconds: 0 in test pods to speed it up.
 */
export async function deleteTestNamespace(
  name: string,
  opts: { wait?: boolean; timeoutMs?: number; kc?: KubeConfig } = {},
): Promise<void> {
  const core = (opts.kc ?? loadKubeConfig()).makeApiClient(CoreV1Api);
  try {
    await core.deleteNamespace({ name });
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return;
    throw err;
  }
  await releaseRollouts(name);
  if (opts.wait === false) return;
  await waitFor(
    async () => {
      try {
        await core.readNamespace({ name });
        return false;
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return true;
        throw err;
      }
    },
    { what: `namespace ${name} to finish deleting`, timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 200 },
  );
}

/**
 * Removes ramp's finalizer from every Rollout in a namespace, so that with no controller running (tests
 * stop theirs first) the namespace can still finish deleting. Best effort: no Rollout API, no Rollouts.
 */
export async function releaseRollouts(namespace: string): Promise<void> {
  const list = await kubectl(["get", "rollouts.ramp.dev", "-n", namespace, "-o", "json"]);
  if (list.code !== 0) return;
  type Item = { metadata: { name: string; finalizers?: string[] } };
  for (const r of (JSON.parse(list.stdout) as { items: Item[] }).items) {
    const i = r.metadata.finalizers?.indexOf(TRAFFIC_FINALIZER) ?? -1;
    if (i < 0) continue;
    const at = `/metadata/finalizers/${i}`;
    const patch = [
      { op: "test", path: at, value: TRAFFIC_FINALIZER },
      { op: "remove", path: at },
    ];
    await kubectl([
      "patch",
      "rollouts.ramp.dev",
      r.metadata.name,
      "-n",
      namespace,
      "--type=json",
      "-p",
      JSON.stringify(patch),
    ]);
  }
}
