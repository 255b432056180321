// Where the apiserver is and how to authenticate, read from a kubeconfig or the pod's service account,
// without client-node: its KubeConfig loads every generated API model (~90 MB of RSS the controller
// never uses). Supports what a controller meets: certificates, tokens, token files, exec plugins.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export type Credentials = { token?: string; cert?: string; key?: string; expiresAt?: number };

export type Connection = {
  server: string;
  /** The context's default namespace, or the service account's. */
  namespace: string;
  ca?: string;
  insecure: boolean;
  servername?: string;
  /** Credentials now; called before each request, so rotated tokens and exec renewals are picked up. */
  credentials(): Promise<Credentials>;
  describe: string;
};

export type Named<T> = { name: string } & Record<string, T>;
export type ClusterEntry = {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
  "proxy-url"?: string;
};
type ExecConfig = {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
};
export type UserEntry = {
  token?: string;
  tokenFile?: string;
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  exec?: ExecConfig;
  "auth-provider"?: { name?: string };
  username?: string;
};
export type ContextEntry = { cluster?: string; user?: string; namespace?: string };
type ConfigFile = {
  "current-context"?: string;
  clusters?: Named<ClusterEntry>[];
  users?: Named<UserEntry>[];
  contexts?: Named<ContextEntry>[];
};

/** --kubeconfig, else $KUBECONFIG (files joined by ":"), else ~/.kube/config, else the pod's service account. */
export function loadConnection(opts: { kubeconfig?: string | undefined; context?: string } = {}): Connection {
  const files = kubeconfigFiles(opts.kubeconfig, process.env);
  if (files.length > 0) return fromConfig(mergeKubeconfigs(files), opts.context);
  if (process.env.KUBERNETES_SERVICE_HOST) return inCluster();
  throw new Error(
    "no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account",
  );
}

/**
 * The files kubectl reads, in order: --kubeconfig alone (it must exist), else $KUBECONFIG's (missing ones
 * skipped, a repeat read once), else ~/.kube/config if it exists. Empty when there is none.
 */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`kubeconfig: ${explicit} does not exist`);
    return [explicit];
  }
  const listed = (env.KUBECONFIG ?? "").split(delimiter).filter((f) => f !== "");
  if (listed.length > 0) return [...new Set(listed)].filter((f) => existsSync(f));
  const home = join(env.HOME || homedir(), ".kube", "config");
  return existsSync(home) ? [home] : [];
}

/** Several kubeconfig files as one, merged as kubectl merges them, with every file path made absolute. */
export type MergedKubeconfig = {
  "current-context"?: string;
  clusters: Named<ClusterEntry>[];
  users: Named<UserEntry>[];
  contexts: Named<ContextEntry>[];
  /** The files read, for messages. */
  files: string[];
};

/**
 * As client-go's loader: the first file to set current-context wins, and the first file to name a
 * cluster, user or context wins it whole (later files may reuse the name); one file naming a thing twice
 * is an error. Relative paths are resolved against the directory of the file that holds them.
 */
export function mergeKubeconfigs(files: string[]): MergedKubeconfig {
  if (files.length === 0) throw new Error("kubeconfig: no file to read");
  const merged: MergedKubeconfig = { clusters: [], users: [], contexts: [], files };
  for (const file of files) {
    const doc = (parse(readFileSync(file, "utf8")) ?? {}) as ConfigFile;
    const dir = dirname(resolve(file));
    if (!merged["current-context"] && doc["current-context"])
      merged["current-context"] = doc["current-context"];
    addAll(merged.clusters, doc.clusters, "cluster", file, (c) => absoluteCluster(c, dir));
    addAll(merged.users, doc.users, "user", file, (u) => absoluteUser(u, dir));
    addAll(merged.contexts, doc.contexts, "context", file, (c) => c);
  }
  return merged;
}

function addAll<T>(
  into: Named<T>[],
  from: Named<T>[] | undefined,
  kind: string,
  file: string,
  fix: (entry: T) => T,
): void {
  const seen = new Set<string>();
  for (const entry of from ?? []) {
    if (seen.has(entry.name)) throw new Error(`kubeconfig: ${file} names ${kind} "${entry.name}" twice`);
    seen.add(entry.name);
    if (into.some((e) => e.name === entry.name)) continue;
    into.push({ ...entry, [kind]: fix((entry[kind] ?? {}) as T) } as Named<T>);
  }
}

const absolute = (dir: string, file: string | undefined) =>
  file === undefined || file === "" || isAbsolute(file) ? file : join(dir, file);

function absoluteCluster(c: ClusterEntry, dir: string): ClusterEntry {
  const ca = absolute(dir, c["certificate-authority"]);
  return { ...c, ...(ca ? { "certificate-authority": ca } : {}) };
}

function absoluteUser(u: UserEntry, dir: string): UserEntry {
  const out: UserEntry = { ...u };
  const cert = absolute(dir, u["client-certificate"]);
  const key = absolute(dir, u["client-key"]);
  const tokenFile = absolute(dir, u.tokenFile);
  if (cert) out["client-certificate"] = cert;
  if (key) out["client-key"] = key;
  if (tokenFile) out.tokenFile = tokenFile;
  // A command with a directory in it is relative to the file; a bare name is looked up on PATH.
  if (u.exec?.command && basename(u.exec.command) !== u.exec.command)
    out.exec = { ...u.exec, command: absolute(dir, u.exec.command) ?? u.exec.command };
  return out;
}

/** The context a merged kubeconfig selects (`context`, else its current-context), its cluster and user. */
export function selectContext(config: MergedKubeconfig, context: string | undefined) {
  const where = config.files.join(", ");
  const name = context ?? config["current-context"];
  if (!name) throw new Error(`kubeconfig: no current-context in ${where}; set one or pass a context`);
  const find = <T>(list: Named<T>[], wanted: string, kind: string): T => {
    const hit = list.find((e) => e.name === wanted);
    if (!hit) throw new Error(`kubeconfig: ${kind} "${wanted}" is not defined in ${where}`);
    return (hit[kind] ?? {}) as T;
  };
  const ctx = find<ContextEntry>(config.contexts, name, "context");
  const cluster = find<ClusterEntry>(config.clusters, ctx.cluster ?? "", "cluster");
  const user = find<UserEntry>(config.users, ctx.user ?? "", "user");
  return { name, context: ctx, cluster, user };
}

function inCluster(): Connection {
  const host = process.env.KUBERNETES_SERVICE_HOST ?? "";
  const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
  const tokenFile = join(SA_DIR, "token");
  const nsFile = join(SA_DIR, "namespace");
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    namespace: existsSync(nsFile) ? readFileSync(nsFile, "utf8").trim() : "default",
    ca: readFileSync(join(SA_DIR, "ca.crt"), "utf8"),
    insecure: false,
    credentials: rereadToken(tokenFile),
    describe: "in-cluster service account",
  };
}

// Projected service-account tokens rotate: read the file again every minute, as client-go does.
function rereadToken(file: string): () => Promise<Credentials> {
  let cached: { token: string; at: number } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.at > 60_000) {
      cached = { token: readFileSync(file, "utf8").trim(), at: Date.now() };
    }
    return { token: cached.token };
  };
}

function fromConfig(config: MergedKubeconfig, contextName: string | undefined): Connection {
  const { name, context: ctx, cluster, user } = selectContext(config, contextName);
  if (!cluster.server) throw new Error(`kubeconfig: cluster "${ctx.cluster}" has no server`);
  if (cluster["proxy-url"])
    throw new Error(
      `kubeconfig: cluster "${ctx.cluster}" uses proxy-url, which ramp-controller does not support`,
    );
  // Paths are absolute after merging; "." is never used.
  const ca = pem(cluster["certificate-authority-data"], cluster["certificate-authority"], ".");
  return {
    server: cluster.server.replace(/\/+$/, ""),
    namespace: ctx.namespace ?? "default",
    ...(ca ? { ca } : {}),
    insecure: cluster["insecure-skip-tls-verify"] === true,
    ...(cluster["tls-server-name"] ? { servername: cluster["tls-server-name"] } : {}),
    credentials: credentialsOf(user, ".", ctx.user ?? ""),
    describe: `kubeconfig context "${name}"`,
  };
}

/** Inline base64 data, or a file relative to the kubeconfig's directory. */
function pem(data: string | undefined, file: string | undefined, dir: string): string | undefined {
  if (data) return Buffer.from(data, "base64").toString("utf8");
  if (file) return readFileSync(isAbsolute(file) ? file : join(dir, file), "utf8");
  return undefined;
}

function credentialsOf(user: UserEntry, dir: string, name: string): () => Promise<Credentials> {
  if (user["auth-provider"]) {
    throw new Error(
      `kubeconfig: user "${name}" uses auth-provider "${user["auth-provider"].name}", which Kubernetes removed; use an exec credential plugin`,
    );
  }
  if (user.username)
    throw new Error(`kubeconfig: user "${name}" uses basic auth, which ramp-controller does not support`);
  if (user.exec) return execCredentials(user.exec, name);
  const cert = pem(user["client-certificate-data"], user["client-certificate"], dir);
  const key = pem(user["client-key-data"], user["client-key"], dir);
  const fixed: Credentials = { ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  if (user.tokenFile) {
    const read = rereadToken(isAbsolute(user.tokenFile) ? user.tokenFile : join(dir, user.tokenFile));
    return async () => ({ ...fixed, ...(await read()) });
  }
  if (user.token) fixed.token = user.token;
  return async () => fixed;
}

const run = promisify(execFile);

// An exec plugin's ExecCredential is reused until a minute before it expires.
function execCredentials(exec: ExecConfig, name: string): () => Promise<Credentials> {
  let cached: Credentials | undefined;
  return async () => {
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - Date.now() > 60_000)) return cached;
    const env = { ...process.env };
    for (const e of exec.env ?? []) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({
      apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: { interactive: false },
    });
    let stdout: string;
    try {
      ({ stdout } = await run(exec.command, exec.args ?? [], { env, timeout: 60_000 }));
    } catch (err) {
      throw new Error(
        `kubeconfig: the exec plugin of user "${name}" (${exec.command}) failed: ${(err as Error).message}`,
      );
    }
    const status = (JSON.parse(stdout) as { status?: Record<string, string> }).status ?? {};
    const expiry = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : undefined;
    cached = {
      ...(status.token ? { token: status.token } : {}),
      ...(status.clientCertificateData ? { cert: status.clientCertificateData } : {}),
      ...(status.clientKeyData ? { key: status.clientKeyData } : {}),
      ...(expiry === undefined ? {} : { expiresAt: expiry }),
    };
    return cached;
  };
}

/** The parts of client-node's KubeConfig read here (its type only: importing it would load it all). */
export interface KubeConfigLike {
  getCurrentCluster(): {
    server: string;
    caData?: string;
    caFile?: string;
    skipTLSVerify?: boolean;
    tlsServerName?: string;
  } | null;
  getCurrentUser(): {
    token?: string;
    certData?: string;
    certFile?: string;
    keyData?: string;
    keyFile?: string;
  } | null;
  getContextObject(name: string): { namespace?: string } | null;
  getCurrentContext(): string;
}

/** A Connection from an already-loaded client-node KubeConfig (tests and tools hold one). */
export function connectionOf(kc: KubeConfigLike): Connection {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig: no current cluster");
  const user = kc.getCurrentUser() ?? {};
  const ca = pem(cluster.caData, cluster.caFile, ".");
  const cert = pem(user.certData, user.certFile, ".");
  const key = pem(user.keyData, user.keyFile, ".");
  const creds: Credentials = {
    ...(user.token ? { token: user.token } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
  };
  return {
    server: cluster.server.replace(/\/+$/, ""),
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default",
    ...(ca ? { ca } : {}),
    insecure: cluster.skipTLSVerify === true,
    ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
    credentials: async () => creds,
    describe: `kubeconfig context "${kc.getCurrentContext()}"`,
  };
}
