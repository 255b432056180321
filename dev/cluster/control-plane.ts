// Starts and stops the local control plane: etcd → kube-apiserver → controller-manager, scheduler,
// kwok → fake Nodes → the default ServiceAccount. State lives in .ramp/local/ so any process (tests,
// CLI, benchmarks) can reuse or stop a cluster another one started.
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { CoreV1Api } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { loadKubeConfig, waitFor } from "../kube.ts";
import { type ComponentName, type ComponentSpec, componentOrder, componentSpecs } from "./components.ts";
import { answers200, httpGet, pollUntil, portFree } from "./health.ts";
import { writeKwokStages } from "./kwok-stages.ts";
import { withLock } from "./lock.ts";
import { defaultNodeCount, ensureNodes } from "./nodes.ts";
import {
  binaries,
  configuredPorts,
  type LocalPaths,
  localPaths,
  type Ports,
  portEnv,
  versions,
} from "./paths.ts";
import { createPki, pkiFiles } from "./pki.ts";
import {
  isRunning,
  type RunningProcess,
  readPidFiles,
  startProcess,
  stopProcess,
  tailLog,
} from "./processes.ts";

export interface ClusterState {
  /** Bumped when the layout changes so an old state file is treated as stale. */
  schema: 1;
  k8sVersion: string;
  startedAt: string;
  server: string;
  ports: Ports;
  token: string;
  processes: RunningProcess[];
}

export interface ClusterInfo {
  kubeconfig: string;
  server: string;
  ports: Ports;
  /** True when an already running cluster was reused. */
  reused: boolean;
  elapsedMs: number;
}

export interface ClusterUpOptions {
  /** Fake nodes to ensure (default RAMP_NODES or 3). */
  nodes?: number;
  /** Progress lines; default writes to stderr. */
  log?: (line: string) => void;
}

const stderrLog = (line: string) => process.stderr.write(`ramp: ${line}\n`);

async function readState(paths: LocalPaths): Promise<ClusterState | undefined> {
  try {
    const state = JSON.parse(await readFile(paths.stateFile, "utf8")) as ClusterState;
    return state.schema === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

async function readyz(state: ClusterState, paths: LocalPaths): Promise<boolean> {
  try {
    const ca = await readFile(pkiFiles(paths.pkiDir).caCert, "utf8");
    return await answers200(`${state.server}/readyz`, { ca, token: state.token });
  } catch {
    return false;
  }
}

/** The running cluster's state file (ports, PIDs, server), or undefined when none was started. */
export function readClusterState(): Promise<ClusterState | undefined> {
  return readState(localPaths());
}

function processesAlive(state: ClusterState): boolean {
  return (
    state.processes.length === componentOrder.length &&
    state.processes.every((p) => isRunning(p.pid, p.command))
  );
}

// A busy apiserver (benchmarks) may answer slowly; never tear down a live cluster over one slow probe.
async function readyWithin(state: ClusterState, paths: LocalPaths, timeoutMs = 30_000): Promise<boolean> {
  try {
    await pollUntil("apiserver /readyz", () => readyz(state, paths), { timeoutMs, intervalMs: 500 });
    return true;
  } catch {
    return false;
  }
}

/** True when the state file's processes all run and the apiserver answers /readyz. */
export async function isClusterUp(): Promise<boolean> {
  const paths = localPaths();
  const state = await readState(paths);
  return state !== undefined && processesAlive(state) && (await readyz(state, paths));
}

/** Starts the local cluster, or reuses the one already running. Safe to call concurrently. */
export async function clusterUp(opts: ClusterUpOptions = {}): Promise<ClusterInfo> {
  const log = opts.log ?? stderrLog;
  const paths = localPaths();
  const started = Date.now();
  return withLock(paths.lockFile, log, async () => {
    const state = await readState(paths);
    const live =
      state?.k8sVersion === versions().k8s && processesAlive(state) && (await readyWithin(state, paths));
    if (state && live) {
      await ensureNodes(opts.nodes ?? defaultNodeCount());
      return {
        kubeconfig: paths.kubeconfig,
        server: state.server,
        ports: state.ports,
        reused: true,
        elapsedMs: Date.now() - started,
      };
    }
    if (existsSync(paths.stateDir)) {
      log(`the cluster in ${paths.stateDir} is stopped, partial or not ready; starting a fresh one`);
      await stopAll(paths, log);
      await rm(paths.stateDir, { recursive: true, force: true });
    }
    try {
      const fresh = await startFresh(paths, opts.nodes ?? defaultNodeCount(), log, started);
      log(`cluster ready in ${seconds(started)} (kubeconfig ${paths.kubeconfig})`);
      return {
        kubeconfig: paths.kubeconfig,
        server: fresh.server,
        ports: fresh.ports,
        reused: false,
        elapsedMs: Date.now() - started,
      };
    } catch (err) {
      // Leave logs for diagnosis but no running processes.
      await stopAll(paths).catch(() => {});
      throw err;
    }
  });
}

/** Stops every process of the local cluster by PID and removes .ramp/local/. */
export async function clusterDown(opts: { log?: (line: string) => void } = {}): Promise<boolean> {
  const log = opts.log ?? stderrLog;
  const paths = localPaths();
  return withLock(paths.lockFile, log, async () => {
    if (!existsSync(paths.stateDir)) return false;
    await stopAll(paths, log);
    await rm(paths.stateDir, { recursive: true, force: true });
    return true;
  });
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

// Stops what the state file lists, plus anything only a PID file knows about (a start that crashed).
async function stopAll(paths: LocalPaths, log?: (line: string) => void): Promise<void> {
  const state = await readState(paths);
  const bins = binaries();
  const commands: Record<ComponentName, string> = {
    etcd: bins.etcd,
    "kube-apiserver": bins.kubeApiserver,
    "kube-controller-manager": bins.kubeControllerManager,
    "kube-scheduler": bins.kubeScheduler,
    kwok: bins.kwok,
  };
  const known = new Map<string, RunningProcess>();
  for (const p of state?.processes ?? []) known.set(p.name, p);
  for (const { name, pid } of await readPidFiles(paths.pidsDir)) {
    const command = commands[name as ComponentName];
    // Only PIDs still running our binary: a recycled PID belongs to someone else.
    if (command && !known.has(name)) known.set(name, { name, pid, command });
  }
  for (const name of [...componentOrder].reverse()) {
    const proc = known.get(name);
    if (!proc || !isRunning(proc.pid, proc.command)) continue;
    log?.(`stopping ${name} (pid ${proc.pid})`);
    await stopProcess(proc);
  }
}

async function ensurePortsFree(ports: Ports): Promise<void> {
  for (const key of Object.keys(ports) as (keyof Ports)[]) {
    if (!(await portFree(ports[key]))) {
      throw new Error(
        `ramp: port 127.0.0.1:${ports[key]} (${key}) is already in use. ` +
          `Stop whatever holds it (ss -ltnp 'sport = :${ports[key]}') or pick another port: ${portEnv[key]}=<port>`,
      );
    }
  }
}

function checkBinaries(): void {
  const missing = Object.values(binaries()).filter((b) => !existsSync(b));
  if (missing.length > 0) {
    throw new Error(
      `ramp: control-plane binaries missing: ${missing.join(", ")}. Build them: npm run cluster:build`,
    );
  }
}

async function writeKubeconfig(
  paths: LocalPaths,
  server: string,
  caPem: string,
  token: string,
): Promise<void> {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "ramp-local",
        cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") },
      },
    ],
    users: [{ name: "ramp-admin", user: { token } }],
    contexts: [
      { name: "ramp-local", context: { cluster: "ramp-local", user: "ramp-admin", namespace: "default" } },
    ],
    "current-context": "ramp-local",
  };
  await writeFile(paths.kubeconfig, stringify(config), { mode: 0o600 });
}

async function startFresh(
  paths: LocalPaths,
  nodeCount: number,
  log: (line: string) => void,
  started: number,
): Promise<{ server: string; ports: Ports }> {
  checkBinaries();
  const ports = configuredPorts();
  await ensurePortsFree(ports);
  await mkdir(paths.stateDir, { recursive: true });
  const pki = await createPki(paths.pkiDir);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const ca = await readFile(pki.caCert, "utf8");
  await writeKubeconfig(paths, server, ca, pki.token);
  await writeKwokStages(paths.kwokConfig);
  const specs = componentSpecs({ bins: binaries(), paths, ports, pki });
  const state: ClusterState = {
    schema: 1,
    k8sVersion: versions().k8s,
    startedAt: new Date().toISOString(),
    server,
    ports,
    token: pki.token,
    processes: [],
  };
  const launch = async (spec: ComponentSpec): Promise<RunningProcess> => {
    const proc = await startProcess({ ...spec, logsDir: paths.logsDir, pidsDir: paths.pidsDir });
    state.processes.push(proc);
    await writeFile(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
    return proc;
  };
  const probe = (proc: RunningProcess, timeoutMs = 60_000) => ({
    timeoutMs,
    alive: () => isRunning(proc.pid, proc.command),
    diagnose: () =>
      `--- last lines of ${paths.logsDir}/${proc.name}.log ---\n${tailLog(paths.logsDir, proc.name)}`,
  });

  const etcd = await launch(specs.etcd);
  await pollUntil(
    "etcd to report healthy",
    async () => {
      try {
        const res = await httpGet(`http://127.0.0.1:${ports.etcdClient}/health`);
        return res.status === 200 && (JSON.parse(res.body) as { health?: string }).health === "true";
      } catch {
        return false;
      }
    },
    probe(etcd),
  );
  log(`etcd ready on 127.0.0.1:${ports.etcdClient} (${seconds(started)})`);

  const apiserver = await launch(specs["kube-apiserver"]);
  await pollUntil(
    "kube-apiserver /readyz",
    () => answers200(`${server}/readyz`, { ca, token: pki.token }),
    probe(apiserver),
  );
  log(`kube-apiserver ready on ${server} (${seconds(started)})`);

  const kcm = await launch(specs["kube-controller-manager"]);
  const scheduler = await launch(specs["kube-scheduler"]);
  const kwok = await launch(specs.kwok);
  const healthz = (port: number) => () => answers200(`https://127.0.0.1:${port}/healthz`, { ca });
  await Promise.all([
    pollUntil("kube-controller-manager /healthz", healthz(ports.controllerManager), probe(kcm)),
    pollUntil("kube-scheduler /healthz", healthz(ports.scheduler), probe(scheduler)),
  ]);
  log(`controller-manager, scheduler and kwok started (${seconds(started)})`);

  const kc = loadKubeConfig();
  const nodeWatch = probe(kwok);
  try {
    await ensureNodes(nodeCount, { kc });
  } catch (err) {
    throw new Error(
      `${(err as Error).message}${nodeWatch.alive() ? "" : " (kwok exited)"}\n${nodeWatch.diagnose()}`,
      { cause: err },
    );
  }
  log(`${nodeCount} fake nodes Ready (${seconds(started)})`);

  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(() => core.readNamespacedServiceAccount({ name: "default", namespace: "default" }), {
    what: "ServiceAccount default/default (created by kube-controller-manager's serviceaccount-controller)",
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  return { server, ports };
}
