// Where the local cluster's binaries, state and ports live. Versions come from scripts/cluster/versions.sh,
// the one place they are pinned, so a bump there reaches the build and the runtime together.
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

export const repoRoot: string = resolve(import.meta.dirname, "../..");
export const versionsFile: string = join(repoRoot, "scripts/cluster/versions.sh");
export const buildScript: string = join(repoRoot, "scripts/cluster/build.sh");

export interface Versions {
  k8s: string;
  etcd: string;
  kwok: string;
  cache: string;
  k8sBin: string;
  etcdBin: string;
  kwokBin: string;
}

let cachedVersions: Versions | undefined;

// Sourcing the file with bash keeps its `${RAMP_CACHE:-$HOME/...}` defaults exactly as build.sh sees them.
export function versions(): Versions {
  if (cachedVersions) return cachedVersions;
  const names = [
    "K8S_VERSION",
    "ETCD_VERSION",
    "KWOK_VERSION",
    "RAMP_CACHE",
    "K8S_BIN",
    "ETCD_BIN",
    "KWOK_BIN",
  ];
  const script = `. "$1"; ${names.map((n) => `printf '%s\\n' "$${n}"`).join("; ")}`;
  const out = execFileSync("bash", ["-c", script, "versions", versionsFile], { encoding: "utf8" });
  const [k8s, etcd, kwok, cache, k8sBin, etcdBin, kwokBin] = out.split("\n");
  if (!k8s || !etcd || !kwok || !cache || !k8sBin || !etcdBin || !kwokBin) {
    throw new Error(`ramp: ${versionsFile} did not define all of ${names.join(", ")}`);
  }
  cachedVersions = { k8s, etcd, kwok, cache, k8sBin, etcdBin, kwokBin };
  return cachedVersions;
}

export interface Binaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  etcd: string;
  kwok: string;
}

export function binaries(): Binaries {
  const v = versions();
  return {
    kubeApiserver: join(v.k8sBin, "kube-apiserver"),
    kubeControllerManager: join(v.k8sBin, "kube-controller-manager"),
    kubeScheduler: join(v.k8sBin, "kube-scheduler"),
    kubectl: join(v.k8sBin, "kubectl"),
    etcd: join(v.etcdBin, "etcd"),
    kwok: join(v.kwokBin, "kwok"),
  };
}

export interface LocalPaths {
  /** `.ramp/local/`: everything one running cluster owns; removed by clusterDown(). */
  stateDir: string;
  /** Serializes clusterUp/clusterDown across processes; lives beside stateDir so removal cannot race it. */
  lockFile: string;
  stateFile: string;
  logsDir: string;
  pidsDir: string;
  pkiDir: string;
  etcdDataDir: string;
  kubeconfig: string;
  kwokConfig: string;
}

export function localPaths(): LocalPaths {
  const stateDir = process.env.RAMP_LOCAL_DIR ?? join(repoRoot, ".ramp/local");
  return {
    stateDir,
    lockFile: `${stateDir}.lock`,
    stateFile: join(stateDir, "state.json"),
    logsDir: join(stateDir, "logs"),
    pidsDir: join(stateDir, "pids"),
    pkiDir: join(stateDir, "pki"),
    etcdDataDir: join(stateDir, "etcd-data"),
    kubeconfig: join(stateDir, "kubeconfig"),
    kwokConfig: join(stateDir, "kwok-stages.yaml"),
  };
}

export interface Ports {
  apiserver: number;
  etcdClient: number;
  etcdPeer: number;
  controllerManager: number;
  scheduler: number;
}

// Defaults sit in 28xxx: below Linux's ephemeral range (32768+), clear of well-known dev ports.
export const defaultPorts: Readonly<Ports> = {
  apiserver: 28443,
  etcdClient: 28379,
  etcdPeer: 28380,
  controllerManager: 28257,
  scheduler: 28259,
};

export const portEnv: Readonly<Record<keyof Ports, string>> = {
  apiserver: "RAMP_APISERVER_PORT",
  etcdClient: "RAMP_ETCD_PORT",
  etcdPeer: "RAMP_ETCD_PEER_PORT",
  controllerManager: "RAMP_CONTROLLER_MANAGER_PORT",
  scheduler: "RAMP_SCHEDULER_PORT",
};

export function configuredPorts(): Ports {
  const ports = { ...defaultPorts };
  for (const key of Object.keys(portEnv) as (keyof Ports)[]) {
    const raw = process.env[portEnv[key]];
    if (raw === undefined || raw === "") continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new Error(`ramp: ${portEnv[key]}=${raw} is not a TCP port (1-65535)`);
    }
    ports[key] = n;
  }
  return ports;
}

/** Pod and service ranges; kwok hands out pod IPs from podCidr, the apiserver ClusterIPs from serviceCidr. */
export const podCidr = "10.244.0.0/16";
export const serviceCidr = "10.96.0.0/16";
