// The plugin's KubeConfig, read as kubectl reads it: the same files in the same order, merged by the
// loader the controller uses (src/kube/kubeconfig.ts), so `kubectl ramp promote` acts on the cluster
// `kubectl get` shows; then kubectl's connection flags on top. Commands reach the cluster through api.ts
// without it; this is for what only client-node serves, and the commands still built on it.
import type * as k8s from "@kubernetes/client-node";
import { Agent, type Dispatcher, getGlobalDispatcher } from "undici";
import pkg from "../../package.json" with { type: "json" };
import { kubeconfigFiles, mergeKubeconfigs } from "../kube/kubeconfig.ts";
import {
  type ConnectionFlags,
  type HttpMethod,
  type KubeApi,
  type Log,
  NO_KUBECONFIG,
  OVERRIDES,
  type SendOptions,
  sendOptions,
} from "./api.ts";
import { UsageError } from "./context.ts";

export type { ConnectionFlags } from "./api.ts";

/** The plugin's KubeConfig: client-node's, plus watches sent the way its API clients send. */
export interface PluginKubeConfig extends k8s.KubeConfig {
  /** The lines of a watch on `path` (one JSON event each), until the server ends it or `signal` aborts. */
  watchLines(path: string, query: Record<string, string>, signal: AbortSignal): AsyncIterable<string>;
  /** A raw JSON request, sent as its API clients send. */
  request<T = unknown>(method: HttpMethod, path: string, body?: unknown, contentType?: string): Promise<T>;
}

/** --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the pod's service account; the flags on top. */
export function loadKubeConfig(
  lib: typeof k8s,
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  log: Log,
): PluginKubeConfig {
  const kc = new (pluginKubeConfig(lib, sendOptions(flags, log)))();
  const files = kubeconfigFiles(flags.kubeconfig, env);
  // No file: the pod's service account, else nothing but the flags (client-node's loadFromDefault would
  // read $KUBECONFIG again, missing files and all).
  if (files.length === 0) {
    if (env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else kc.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: "" });
  } else {
    const merged = mergeKubeconfigs(files);
    // client-node reads a token file as "token-file"; kubectl writes "tokenFile".
    const users = merged.users.map(({ name, user }) => ({
      name,
      user: user?.tokenFile ? { ...user, "token-file": user.tokenFile } : user,
    }));
    kc.loadFromString(JSON.stringify({ ...merged, users }));
  }
  if (flags.context) {
    if (!kc.getContextObject(flags.context))
      throw new UsageError(`context "${flags.context}" is not in the kubeconfig`);
    kc.setCurrentContext(flags.context);
  }
  override(kc, flags);
  if (!kc.getCurrentCluster()) throw new Error(NO_KUBECONFIG);
  return kc;
}

/** The KubeApi of a loaded PluginKubeConfig: what api.ts cannot serve without client-node. */
export function clientNodeApi(kc: PluginKubeConfig): KubeApi {
  return {
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default",
    user: kc.getCurrentUser()?.name,
    request: (method, path, body, contentType) => kc.request(method, path, body, contentType),
    watchLines: (path, query, signal) => kc.watchLines(path, query, signal),
  };
}

/** --cluster, --user, --server, --token, --certificate-authority, --insecure-skip-tls-verify, --as. */
function override(kc: k8s.KubeConfig, flags: ConnectionFlags): void {
  if (!OVERRIDES.some((f) => flags[f] !== undefined && flags[f] !== false)) return;
  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName);
  const clusterName = flags.cluster ?? context?.cluster;
  const userName = flags.user ?? context?.user;
  const cluster = clusterName ? kc.getCluster(clusterName) : null;
  const user = userName ? kc.getUser(userName) : null;
  if (flags.cluster && !cluster) throw new UsageError(`cluster "${flags.cluster}" is not in the kubeconfig`);
  if (flags.user && !user) throw new UsageError(`user "${flags.user}" is not in the kubeconfig`);
  const server = flags.server ?? cluster?.server;
  if (!server) throw new UsageError("no server: pass --server or a kubeconfig context with a cluster");

  const c: k8s.Cluster = { ...(cluster ?? { name: "ramp-flags", skipTLSVerify: false }), server };
  if (flags["certificate-authority"])
    Object.assign(c, { caFile: flags["certificate-authority"], caData: undefined });
  // As kubectl: skipping verification drops the kubeconfig's CA.
  if (flags["insecure-skip-tls-verify"])
    Object.assign(c, { skipTLSVerify: true, caFile: undefined, caData: undefined });

  const u: k8s.User = { ...(user ?? { name: "ramp-flags" }) };
  // A token given on the command line is the credential: no exec plugin, auth provider or basic auth.
  if (flags.token)
    Object.assign(u, {
      token: flags.token,
      exec: undefined,
      authProvider: undefined,
      username: undefined,
      password: undefined,
    });
  if (flags.as) Object.assign(u, { impersonateUser: flags.as });

  kc.loadFromOptions({
    clusters: [c],
    users: [u],
    contexts: [{ ...(context ?? {}), name: contextName || "ramp-flags", cluster: c.name, user: u.name }],
    currentContext: contextName || "ramp-flags",
  });
}

/**
 * A KubeConfig whose API clients send through undici's dispatcher rather than fetch: fetch joins repeated
 * headers into one ("dev, ops"), which the apiserver reads as one group, so only this way does every
 * --as-group reach it. It also ends each request after --request-timeout and, with -v 6, logs each
 * request as kubectl does.
 */
function pluginKubeConfig(lib: typeof k8s, opts: SendOptions): new () => PluginKubeConfig {
  return class extends lib.KubeConfig implements PluginKubeConfig {
    #http1: Promise<Dispatcher> | undefined;

    /**
     * undici speaks HTTP/2 to an apiserver that offers it, and its HTTP/2 client joins repeated headers
     * into one ("dev, ops"): with two groups or more, requests go over HTTP/1.1, one header per group.
     */
    dispatcher(): Promise<Dispatcher> | undefined {
      if (opts.groups.length < 2) return undefined;
      this.#http1 ??= (async () => {
        const tls: import("node:https").RequestOptions = {};
        await this.applyToHTTPSOptions(tls);
        const connect = {
          ...(tls.ca ? { ca: tls.ca } : {}),
          ...(tls.cert ? { cert: tls.cert } : {}),
          ...(tls.key ? { key: tls.key } : {}),
          ...(tls.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
          ...(tls.servername ? { servername: tls.servername } : {}),
        };
        return new Agent({ allowH2: false, connect });
      })();
      return this.#http1;
    }

    async *watchLines(path: string, query: Record<string, string>, signal: AbortSignal) {
      const cluster = this.getCurrentCluster();
      if (!cluster) throw new Error("kubeconfig: no current cluster");
      const url = new URL(cluster.server.replace(/\/+$/, "") + path);
      for (const [k, v] of Object.entries({ ...query, watch: "true" })) url.searchParams.set(k, v);
      const request = new lib.RequestContext(url.href, lib.HttpMethod.GET);
      await this.applySecurityAuthentication(request);
      request.setSignal(signal);
      // --request-timeout ends a request, not a watch that is meant to stay open.
      const res = await open(request, { ...opts, timeoutMs: 0 }, await this.dispatcher());
      if (res.statusCode !== 200)
        throw new lib.ApiException(res.statusCode, "watch failed", await res.body.text(), {});
      let rest = "";
      for await (const chunk of res.body) {
        rest += String(chunk);
        const lines = rest.split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) if (line.trim() !== "") yield line;
      }
    }

    async request<T>(method: HttpMethod, path: string, body?: unknown, contentType?: string): Promise<T> {
      const cluster = this.getCurrentCluster();
      if (!cluster) throw new Error("kubeconfig: no current cluster");
      const request = new lib.RequestContext(
        cluster.server.replace(/\/+$/, "") + path,
        method as k8s.HttpMethod,
      );
      request.setHeaderParam("Accept", "application/json");
      if (body !== undefined) {
        request.setHeaderParam("Content-Type", contentType ?? "application/json");
        request.setBody(typeof body === "string" ? body : JSON.stringify(body));
      }
      await this.applySecurityAuthentication(request);
      const res = await open(request, opts, await this.dispatcher());
      const text = await res.body.text();
      const parsed = text === "" ? undefined : safeJson(text);
      if (res.statusCode >= 400) throw new lib.ApiException(res.statusCode, `${method} ${path}`, parsed, {});
      return parsed as T;
    }

    override makeApiClient<T extends k8s.ApiType>(apiClientType: k8s.ApiConstructor<T>): T {
      const cluster = this.getCurrentCluster();
      if (!cluster) throw new Error("kubeconfig: no current cluster");
      const config = lib.createConfiguration({
        baseServer: new lib.ServerConfiguration(cluster.server, {}),
        authMethods: { default: this },
        httpApi: lib.wrapHttpLibrary({
          send: async (request) => send(lib, request, opts, await this.dispatcher()),
        }),
      });
      return new apiClientType(config);
    }
  };
}

/** Sends a request through the dispatcher with the impersonated groups, the timeout and -v logging. */
async function open(
  request: k8s.RequestContext,
  opts: SendOptions,
  http1?: Dispatcher,
): Promise<Dispatcher.ResponseData> {
  const url = new URL(request.getUrl());
  const headers: string[] = [];
  for (const [k, v] of Object.entries(request.getHeaders())) headers.push(k, v);
  if (!headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === "user-agent"))
    headers.push("User-Agent", `kubectl-ramp/${pkg.version}`);
  // One header per group: the apiserver does not split a comma-joined value.
  for (const g of opts.groups) headers.push("Impersonate-Group", g);
  const signals = [request.getSignal(), opts.timeoutMs > 0 ? AbortSignal.timeout(opts.timeoutMs) : undefined];
  const signal = AbortSignal.any(signals.filter((s) => s !== undefined));
  const started = performance.now();
  const line = (status: string) =>
    `${request.getHttpMethod()} ${url.href} ${status} in ${Math.round(performance.now() - started)} milliseconds`;
  if (opts.verbosity >= 7)
    for (let i = 0; i < headers.length; i += 2)
      opts.log(`    ${headers[i]}: ${mask(headers[i] ?? "", headers[i + 1] ?? "")}`);
  const dispatcher = http1 ?? (request.getDispatcher() as Dispatcher | undefined) ?? getGlobalDispatcher();
  try {
    const body = request.getBody();
    const res = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.getHttpMethod() as Dispatcher.HttpMethod,
      headers,
      ...(typeof body === "string" ? { body } : {}),
      signal,
    });
    if (opts.verbosity >= 6) opts.log(line(`${res.statusCode}`));
    return res;
  } catch (err) {
    if (opts.verbosity >= 6) opts.log(line(`failed (${(err as Error).message})`));
    throw err;
  }
}

async function send(
  lib: typeof k8s,
  request: k8s.RequestContext,
  opts: SendOptions,
  http1?: Dispatcher,
): Promise<k8s.ResponseContext> {
  const res = await open(request, opts, http1);
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = [v].flat().join(", ");
  return new lib.ResponseContext(res.statusCode, flat, {
    text: async () => text,
    binary: async () => Buffer.from(text),
    stream: () => null,
  });
}

/** As kubectl -v 7: the credential is never printed. */
const mask = (name: string, value: string) =>
  name.toLowerCase() === "authorization" ? value.replace(/ .*/, " <masked>") : value;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
