// Installs CRDs into the local cluster (ramp's own and the upstream ones tests need) and waits until the
// apiserver serves them.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CRDS } from "../src/crd/definitions.ts";
import { kubectl, waitFor } from "./kube.ts";
import { repoRoot } from "./yaml.ts";

/** kubectl's server-side apply as the tests' own field manager. */
export const APPLY = ["apply", "--server-side", "--force-conflicts", "--field-manager=ramp-tests"];

/** Server-side applies crds/ (idempotent) and waits for every CRD to be Established. */
export async function installCrds(): Promise<void> {
  const names = CRDS.map((d) => `${d.plural}.ramp.dev`);
  await applyCrds([join(repoRoot, "crds")], names, "ramp's CRDs");
}

/**
 * Runs scripts/cluster/`script`, which fetches CRDs from their Go modules (cached) and prints the
 * directories holding them: those directories and the YAML files in them.
 */
export function fetchCrds(script: string): { dirs: string[]; files: string[] } {
  const path = join(repoRoot, "scripts", "cluster", script);
  const fetched = spawnSync("bash", [path], { encoding: "utf8" });
  if (fetched.status !== 0) {
    throw new Error(`ramp: ${path} failed (exit ${fetched.status ?? fetched.signal}):\n${fetched.stderr}`);
  }
  const dirs = fetched.stdout.trim().split("\n").filter(Boolean);
  const files = dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => join(d, f)),
  );
  return { dirs, files };
}

/** Server-side applies CRD files (or directories) and waits until the named CRDs are Established. */
export async function applyCrds(
  files: readonly string[],
  names: readonly string[],
  what: string,
): Promise<void> {
  const applied = await kubectl([...APPLY, ...files.flatMap((f) => ["-f", f])], { timeoutMs: 120_000 });
  if (applied.code !== 0) throw new Error(`installing ${what} failed: ${applied.stderr}`);
  await waitEstablished(names, what);
}

/**
 * Polls until every named CRD has Established=True. Not `kubectl wait`: it exits at once with
 * ".status.conditions accessor error" on a CRD created a moment ago whose status has no conditions yet.
 */
export async function waitEstablished(
  names: readonly string[],
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    async () => {
      const got = await kubectl(["get", "-o", "json", ...names.map((n) => `crd/${n}`)]);
      if (got.code !== 0) throw new Error(got.stderr.trim());
      const pending = establishedPending(JSON.parse(got.stdout), names);
      if (pending.length > 0) throw new Error(`not yet Established: ${pending.join(", ")}`);
      return true;
    },
    { what: `${what} to be Established`, timeoutMs, intervalMs: 250 },
  );
}

interface Crd {
  metadata?: { name?: string };
  status?: { conditions?: { type?: string; status?: string }[] };
}

/** The names among `names` whose CRD is missing from `got` or lacks Established=True. */
export function establishedPending(got: { items?: Crd[] } & Crd, names: readonly string[]): string[] {
  // `kubectl get -o json` prints a List for several names and the object itself for one.
  const items = got.items ?? [got];
  const ready = new Set(
    items
      .filter((c) => c.status?.conditions?.some((k) => k.type === "Established" && k.status === "True"))
      .map((c) => c.metadata?.name),
  );
  return names.filter((n) => !ready.has(n));
}

/** Runs `install` once per process; a failure is not remembered, so the next caller tries again. */
export function oncePerProcess(install: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= install().catch((err: unknown) => {
      running = undefined;
      throw err;
    });
    return running;
  };
}

/**
 * Fetches a CRD set with scripts/cluster/`script` (cached) and server-side applies it once per process;
 * a ConfigMap in kube-system records the fetched versions, so later test files skip a re-apply.
 */
export function markedCrdSet(opts: {
  script: string;
  marker: string;
  names: readonly string[];
  what: string;
}) {
  const at = ["-n", "kube-system", "configmap", opts.marker];
  return oncePerProcess(async () => {
    const { dirs, files } = fetchCrds(opts.script);
    const marker = await kubectl(["get", ...at, "-o", "jsonpath={.data.dirs}"]);
    if (marker.code === 0 && marker.stdout === dirs.join(",")) {
      await waitEstablished(opts.names, opts.what);
      return;
    }
    await applyCrds(files, opts.names, opts.what);
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: opts.marker, namespace: "kube-system" },
      data: { dirs: dirs.join(",") },
    };
    const saved = await kubectl([...APPLY, "-f", "-"], { input: JSON.stringify(cm) });
    if (saved.code !== 0) throw new Error(`recording the ${opts.what}: ${saved.stderr}`);
  });
}
