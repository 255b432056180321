// The plugin's requests to the apiserver without @kubernetes/client-node (about 0.4 s of CPU to load):
// the kubeconfig merged as kubectl merges it (src/kube/kubeconfig.ts), kubectl's connection flags on
// top, raw JSON over one keep-alive pool of node:https. What only client-node serves (an exec plugin, an
// auth provider, basic auth, proxy-url, the in-cluster account) goes through connect.ts instead, behind
// the same KubeApi.

import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import pkg from "../../package.json" with { type: "json" };
import { ApiError } from "../kube/api-error.ts";
import {
  type ClusterEntry,
  type ContextEntry,
  kubeconfigFiles,
  type MergedKubeconfig,
  mergeKubeconfigs,
  type Named,
  type UserEntry,
} from "../kube/kubeconfig.ts";
import { UsageError } from "./context.ts";

export { ApiError };

const require = createRequire(import.meta.url);

/** The methods the plugin sends. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** kubectl's flags that choose or change the connection, as parsed. */
export type ConnectionFlags = {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  cluster?: string | undefined;
  user?: string | undefined;
  server?: string | undefined;
  token?: string | undefined;
  "certificate-authority"?: string | undefined;
  "insecure-skip-tls-verify"?: boolean | undefined;
  as?: string | undefined;
  "as-group"?: string[] | undefined;
  "request-timeout"?: string | undefined;
  /** kubectl's -v: 6 logs each request's method, URL, status and time; 7 its headers too. */
  v?: string | undefined;
};

export type Log = (line: string) => void;

/** What the commands ask of the apiserver: raw JSON, as kubectl sends and reads it. */
export interface KubeApi {
  /** The kubeconfig context's namespace, else "default". */
  readonly namespace: string;
  /** The kubeconfig user's name, when there is one (for the record). */
  readonly user: string | undefined;
  /** Resolves with the parsed reply; throws an error with `code` and the Status as `body` on HTTP errors. */
  request<T = unknown>(method: HttpMethod, path: string, body?: unknown, contentType?: string): Promise<T>;
  /** The lines of a watch on `path` (one JSON event each), until the server ends it or `signal` aborts. */
  watchLines(path: string, query: Record<string, string>, signal: AbortSignal): AsyncIterable<string>;
}

/** How requests are sent: impersonated groups, --request-timeout, -v. */
export type SendOptions = { groups: string[]; timeoutMs: number; verbosity: number; log: Log };

/** The flags that shape every request, checked as kubectl checks them. */
export function sendOptions(flags: ConnectionFlags, log: Log): SendOptions {
  const verbosity = flags.v === undefined ? 0 : Number(flags.v);
  if (!Number.isInteger(verbosity) || verbosity < 0)
    throw new UsageError(`-v ${flags.v}: not a log level (0-9)`);
  const groups = flags["as-group"] ?? [];
  if (groups.length > 0 && !flags.as)
    throw new UsageError("--as-group needs --as: a group can only be impersonated with a user");
  if (flags["insecure-skip-tls-verify"] && flags["certificate-authority"])
    throw new UsageError("--certificate-authority and --insecure-skip-tls-verify cannot both be given");
  return { groups, timeoutMs: requestTimeout(flags["request-timeout"]), verbosity, log };
}

/** --request-timeout: 0 (none), a bare number of seconds, or a duration such as 30s or 1m. */
function requestTimeout(raw: string | undefined): number {
  if (raw === undefined) return 0;
  // Loaded only when given: it brings zod, which completion and other plain reads do without.
  const { parseDuration } = require("../api/duration.ts") as typeof import("../api/duration.ts");
  try {
    return parseDuration(raw, "--request-timeout");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The flags that replace part of the kubeconfig's cluster or user. */
export const OVERRIDES = [
  "cluster",
  "user",
  "server",
  "token",
  "certificate-authority",
  "insecure-skip-tls-verify",
  "as",
] as const;

export const NO_KUBECONFIG =
  "no kubeconfig: pass --kubeconfig or --server, set KUBECONFIG, create ~/.kube/config, or run in a pod";

/**
 * The API client the kubeconfig and flags choose, or undefined when only client-node can serve them.
 * Throws as connect.ts's loadKubeConfig throws (a usage error for a flag naming what is not there).
 */
export function lightApi(flags: ConnectionFlags, env: NodeJS.ProcessEnv, log: Log): KubeApi | undefined {
  const opts = sendOptions(flags, log);
  const files = kubeconfigFiles(flags.kubeconfig, env);
  if (files.length === 0 && env.KUBERNETES_SERVICE_HOST) return undefined;
  const merged: MergedKubeconfig =
    files.length > 0 ? mergeKubeconfigs(files) : { clusters: [], users: [], contexts: [], files };
  const chosen = choose(merged, flags);
  if (!chosen) return undefined;
  const send = sender(chosen, opts);
  return {
    namespace: chosen.namespace,
    user: chosen.user,
    async request<T>(method: HttpMethod, path: string, body?: unknown, contentType?: string) {
      const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const res = await send(method, path, payload, contentType ?? "application/json", undefined, true);
      const text = await readText(res);
      if ((res.statusCode ?? 0) >= 400) throw apiError(method, path, res, text);
      return (text === "" ? undefined : JSON.parse(text)) as T;
    },
    async *watchLines(path, query, signal) {
      const full = `${path}?${new URLSearchParams({ ...query, watch: "true" }).toString()}`;
      // --request-timeout ends a request, not a watch that is meant to stay open.
      const res = await send("GET", full, undefined, undefined, signal, false);
      if (res.statusCode !== 200) throw apiError("GET", full, res, await readText(res));
      res.setEncoding("utf8");
      let rest = "";
      for await (const chunk of res) {
        rest += chunk as string;
        const lines = rest.split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) if (line.trim() !== "") yield line;
      }
    },
  };
}

/** Where to connect and as whom: the kubeconfig's choice with the flags applied. */
type Chosen = {
  server: string;
  namespace: string;
  ca?: string;
  insecure: boolean;
  servername?: string;
  token?: string;
  cert?: string;
  key?: string;
  /** The kubeconfig user's name, for the record. */
  user: string | undefined;
  impersonate: string | undefined;
};

const find = <T>(list: Named<T>[], name: string | undefined, kind: string): T | undefined =>
  name ? (list.find((e) => e.name === name)?.[kind] ?? undefined) : undefined;

/** The cluster, user and context as client-node's KubeConfig with connect.ts's overrides would have them. */
function choose(merged: MergedKubeconfig, flags: ConnectionFlags): Chosen | undefined {
  const contextName = flags.context || merged["current-context"] || "";
  const context = find<ContextEntry>(merged.contexts, contextName, "context");
  if (flags.context && !context) throw new UsageError(`context "${flags.context}" is not in the kubeconfig`);
  const overridden = OVERRIDES.some((f) => flags[f] !== undefined && flags[f] !== false);
  const userName = flags.user ?? context?.user;
  const cluster = find<ClusterEntry>(merged.clusters, flags.cluster ?? context?.cluster, "cluster");
  const user = find<UserEntry>(merged.users, userName, "user");
  if (flags.cluster && !cluster) throw new UsageError(`cluster "${flags.cluster}" is not in the kubeconfig`);
  if (flags.user && !user) throw new UsageError(`user "${flags.user}" is not in the kubeconfig`);
  const server = flags.server ?? cluster?.server;
  if (!server) {
    if (overridden) throw new UsageError("no server: pass --server or a kubeconfig context with a cluster");
    throw new Error(NO_KUBECONFIG);
  }
  if (cluster?.["proxy-url"]) return undefined;
  // A token given on the command line is the credential: no exec plugin, auth provider or basic auth.
  const u: UserEntry & { as?: string; password?: string } = user ?? {};
  if (!flags.token && (u.exec || u["auth-provider"] || u.username || u.password)) return undefined;

  const insecure = flags["insecure-skip-tls-verify"] === true;
  // As kubectl: skipping verification drops the kubeconfig's CA.
  const ca = insecure
    ? undefined
    : flags["certificate-authority"]
      ? readFileSync(flags["certificate-authority"], "utf8")
      : pem(cluster?.["certificate-authority-data"], cluster?.["certificate-authority"]);
  const cert = pem(u["client-certificate-data"], u["client-certificate"]);
  const key = pem(u["client-key-data"], u["client-key"]);
  const token =
    flags.token ?? u.token ?? (u.tokenFile ? readFileSync(u.tokenFile, "utf8").trim() : undefined);
  const servername = cluster?.["tls-server-name"];
  return {
    server: server.replace(/\/+$/, ""),
    namespace: context?.namespace ?? "default",
    ...(ca ? { ca } : {}),
    insecure: insecure || cluster?.["insecure-skip-tls-verify"] === true,
    ...(servername ? { servername } : {}),
    ...(token ? { token } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    // As connect.ts names the user it makes from the flags alone.
    user: userName ?? (overridden ? "ramp-flags" : undefined),
    impersonate: flags.as ?? u.as,
  };
}

/** Inline base64 data, else a file (absolute once merged). */
const pem = (data: string | undefined, file: string | undefined) =>
  data ? Buffer.from(data, "base64").toString("utf8") : file ? readFileSync(file, "utf8") : undefined;

/**
 * Sends requests with the credential, impersonation, --request-timeout and -v logging (`timed` false for
 * a watch). node:http(s) come through getBuiltinModule: an ESM import of node:http builds its facade,
 * which loads Node's bundled undici for its WebSocket getters (about 25 ms of CPU).
 */
function sender(chosen: Chosen, opts: SendOptions) {
  const secure = chosen.server.startsWith("https:");
  const lib = secure ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
  const agent = secure
    ? new (process.getBuiltinModule("node:https").Agent)({
        keepAlive: true,
        ...(chosen.ca ? { ca: chosen.ca } : {}),
        ...(chosen.cert ? { cert: chosen.cert } : {}),
        ...(chosen.key ? { key: chosen.key } : {}),
        ...(chosen.servername ? { servername: chosen.servername } : {}),
        rejectUnauthorized: !chosen.insecure,
      })
    : new (process.getBuiltinModule("node:http").Agent)({ keepAlive: true });
  return async (
    method: HttpMethod,
    path: string,
    body: string | undefined,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
    timed: boolean,
  ): Promise<IncomingMessage> => {
    const headers: Record<string, string | string[]> = { Accept: "application/json" };
    if (chosen.token) headers.Authorization = `Bearer ${chosen.token}`;
    if (body !== undefined && contentType) headers["Content-Type"] = contentType;
    if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));
    if (chosen.impersonate) headers["Impersonate-User"] = chosen.impersonate;
    // One header line per group: the apiserver does not split a comma-joined value.
    if (opts.groups.length > 0) headers["Impersonate-Group"] = opts.groups;
    headers["User-Agent"] = `kubectl-ramp/${pkg.version}`;
    const url = `${chosen.server}${path}`;
    if (opts.verbosity >= 7)
      for (const [k, v] of Object.entries(headers))
        for (const one of [v].flat())
          opts.log(`    ${k}: ${k === "Authorization" ? "Bearer <masked>" : one}`);
    const timeout = timed && opts.timeoutMs > 0 ? AbortSignal.timeout(opts.timeoutMs) : undefined;
    const live = [signal, timeout].filter((s) => s !== undefined);
    const started = performance.now();
    const line = (status: string) =>
      `${method} ${url} ${status} in ${Math.round(performance.now() - started)} milliseconds`;
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = lib.request(url, {
          method,
          headers,
          agent,
          ...(live.length > 0 ? { signal: AbortSignal.any(live) } : {}),
        });
        req.once("response", resolve);
        req.once("error", reject);
        req.end(body);
      });
      if (opts.verbosity >= 6) opts.log(line(`${res.statusCode}`));
      return res;
    } catch (err) {
      if (opts.verbosity >= 6) opts.log(line(`failed (${(err as Error).message})`));
      throw err;
    }
  };
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function apiError(method: string, path: string, res: IncomingMessage, text: string): ApiError {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  const code = res.statusCode ?? 0;
  const message =
    typeof body === "object" && body !== null && "message" in body ? String(body.message) : `HTTP ${code}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = [v].flat().join(", ");
  return new ApiError(code, `${method} ${path}: ${message}`, body, headers);
}

/** The HTTP status of an error from the apiserver, through either client; else undefined. */
export function statusOf(err: unknown): number | undefined {
  if (!(err instanceof Error) || !("code" in err) || !("body" in err)) return undefined;
  return typeof err.code === "number" ? err.code : undefined;
}
