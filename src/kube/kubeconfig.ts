// Where the apiserver is and how to authenticate, read from a kubeconfig or the pod's service account,
// without client-node: its KubeConfig loads every generated API model (~90 MB of RSS the controller
// never uses). Supports what a controller meets: certificates, tokens, token files, exec plugins.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
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

type Named<T> = { name: string } & Record<string, T>;
type ClusterEntry = {
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
type UserEntry = {
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
type ConfigFile = {
  "current-context"?: string;
  clusters?: Named<ClusterEntry>[];
  users?: Named<UserEntry>[];
  contexts?: Named<{ cluster?: string; user?: string; namespace?: string }>[];
};

/** --kubeconfig, else $KUBECONFIG (files joined by ":"), else ~/.kube/config, else the pod's service account. */
export function loadConnection(opts: { kubeconfig?: string | undefined; context?: string } = {}): Connection {
  const files = opts.kubeconfig
    ? [opts.kubeconfig]
    : (process.env.KUBECONFIG ?? "").split(delimiter).filter((f) => f !== "");
  const home = join(homedir(), ".kube", "config");
  if (files.length === 0 && existsSync(home)) files.push(home);
  if (files.length > 0) return fromFiles(files, opts.context);
  if (process.env.KUBERNETES_SERVICE_HOST) return inCluster();
  throw new Error(
    "no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account",
  );
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

function fromFiles(files: string[], contextName: string | undefined): Connection {
  // As kubectl merges: the first file to name a context, cluster or user wins.
  const configs = files
    .filter((f) => existsSync(f))
    .map((f) => ({ dir: dirname(f), doc: (parse(readFileSync(f, "utf8")) ?? {}) as ConfigFile }));
  if (configs.length === 0) throw new Error(`kubeconfig: none of ${files.join(", ")} exists`);
  const find = <T>(pick: (c: ConfigFile) => Named<T>[] | undefined, name: string, kind: string) => {
    for (const { dir, doc } of configs) {
      const hit = pick(doc)?.find((e) => e.name === name);
      if (hit) return { dir, entry: hit[kind] as T };
    }
    throw new Error(`kubeconfig: ${kind} "${name}" is not defined in ${files.join(", ")}`);
  };
  const current = contextName ?? configs.map((c) => c.doc["current-context"]).find((c) => !!c);
  if (!current)
    throw new Error(`kubeconfig: no current-context in ${files.join(", ")}; set one or pass a context`);
  const { entry: ctx } = find((c) => c.contexts, current, "context");
  const { dir: cdir, entry: cluster } = find((c) => c.clusters, ctx?.cluster ?? "", "cluster");
  const { dir: udir, entry: user } = find((c) => c.users, ctx?.user ?? "", "user");
  if (!cluster?.server) throw new Error(`kubeconfig: cluster "${ctx?.cluster}" has no server`);
  if (cluster["proxy-url"])
    throw new Error(
      `kubeconfig: cluster "${ctx?.cluster}" uses proxy-url, which ramp-controller does not support`,
    );
  const ca = pem(cluster["certificate-authority-data"], cluster["certificate-authority"], cdir);
  return {
    server: cluster.server.replace(/\/+$/, ""),
    namespace: ctx?.namespace ?? "default",
    ...(ca ? { ca } : {}),
    insecure: cluster["insecure-skip-tls-verify"] === true,
    ...(cluster["tls-server-name"] ? { servername: cluster["tls-server-name"] } : {}),
    credentials: credentialsOf(user ?? {}, udir, ctx?.user ?? ""),
    describe: `kubeconfig context "${current}"`,
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
