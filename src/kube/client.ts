// Kubernetes API clients whose every request, including watches and raw PATCHes, goes through one
// counted transport, so ramp_kube_api_requests_total sees all traffic the controller makes.
import {
  ApiException,
  AppsV1Api,
  type Configuration,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  createConfiguration,
  type HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  NetworkingV1Api,
  type PromiseHttpLibrary,
  type RequestContext,
  type ResponseContext,
  ServerConfiguration,
  wrapHttpLibrary,
} from "@kubernetes/client-node";
import pkg from "../../package.json" with { type: "json" };
import type { Metrics } from "../observability/metrics.ts";
import { describeRequest } from "./request-info.ts";

/** Content types for PATCH; the generated clients pick one themselves, `request` lets the caller choose. */
export const PatchType = {
  merge: "application/merge-patch+json",
  /** Server-side apply: needs `?fieldManager=...` (and usually `&force=true`) on the path. */
  apply: "application/apply-patch+yaml",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
} as const;
export type PatchContentType = (typeof PatchType)[keyof typeof PatchType];

/** One line of a watch stream. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  /** The object; for ERROR a metav1 Status (with `code`, e.g. 410). */
  object: KubernetesObject & { code?: number; reason?: string; message?: string };
}

/**
 * A LIST reply as the apiserver sends it. Not client-node's KubernetesListObject: its generated
 * V1ListMeta calls the continue token `_continue`, which raw JSON never has.
 */
export interface RawList {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: KubernetesObject[];
}

/** What an informer needs: paginated LIST and streaming WATCH of a resource path. */
export interface ListWatchSource {
  /** GET `path` with `query` (limit, continue, selectors); throws ApiException on HTTP errors. */
  list(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<RawList>;
  /**
   * Opens a watch (`watch=true` is added) and resolves once the apiserver answered 200; throws
   * ApiException on any other status. Iteration ends when the server closes the stream and throws when
   * the connection breaks or `signal` aborts.
   */
  watch(path: string, query: Record<string, string>, signal: AbortSignal): Promise<AsyncIterable<WatchEvent>>;
}

export interface Clients extends ListWatchSource {
  readonly kc: KubeConfig;
  /** The shared configuration; pass it to any other generated API class to have it counted too. */
  readonly config: Configuration;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly coordination: CoordinationV1Api;
  readonly networking: NetworkingV1Api;
  readonly custom: CustomObjectsApi;
  readonly objects: KubernetesObjectApi;
  /**
   * A counted raw request: `path` may carry a query; an object `body` is sent as JSON, a string as is
   * (e.g. YAML for server-side apply). Resolves with the parsed JSON reply; throws ApiException (with
   * `.code` and the Status as `.body`) on HTTP errors and an Error with the cause on transport errors.
   */
  request<T = unknown>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    contentType?: PatchContentType | "application/json",
  ): Promise<T>;
  /** Closes pooled connections (after in-flight requests finish); for tests and shutdown. */
  close(): Promise<void>;
}

export interface ClientOptions {
  /** Sent as User-Agent; defaults to ramp-controller/<version>. */
  userAgent?: string;
  /** Limit for every non-watch request, headers and body; default 30 s. Watches set their own. */
  requestTimeoutMs?: number;
  /** How long one connection pool is reused before a fresh one picks up rotated TLS files; default 5 min. */
  poolMaxAgeMs?: number;
}

/** Builds every API client on one counted transport. The KubeConfig must have a current cluster. */
export function makeClients(kc: KubeConfig, metrics: Metrics, opts: ClientOptions = {}): Clients {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("ramp: the kubeconfig has no current cluster");
  const transport = new CountedTransport(metrics, opts);
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    httpApi: wrapHttpLibrary(transport),
  });

  async function send(method: HttpMethod, path: string, prepare: (ctx: RequestContext) => void) {
    const ctx = config.baseServer.makeRequestContext(path, method);
    ctx.setHeaderParam("Accept", "application/json");
    prepare(ctx);
    await kc.applySecurityAuthentication(ctx);
    try {
      return await transport.send(ctx);
    } catch (err) {
      throw new Error(`${method} ${path} failed: ${messageOf(err)}`, { cause: err });
    }
  }

  async function request<T>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    contentType?: string,
    signal?: AbortSignal,
  ) {
    const resp = await send(method, path, (ctx) => {
      if (signal) ctx.setSignal(signal);
      if (body === undefined) return;
      ctx.setHeaderParam("Content-Type", contentType ?? "application/json");
      ctx.setBody(typeof body === "string" ? body : JSON.stringify(body));
    });
    const text = await resp.body.text();
    if (resp.httpStatusCode >= 400)
      throw apiError(method, path, resp, text === "" ? undefined : parseJsonOr(text));
    return (text === "" ? undefined : parseJson(text)) as T;
  }

  return {
    kc,
    config,
    core: new CoreV1Api(config),
    apps: new AppsV1Api(config),
    coordination: new CoordinationV1Api(config),
    networking: new NetworkingV1Api(config),
    custom: new CustomObjectsApi(config),
    objects: new CountedObjectApi(config, kc),
    request: (method, path, body, contentType) => request(method, path, body, contentType),
    list: (path, query, signal) => request("GET", withQuery(path, query), undefined, undefined, signal),
    async watch(path, query, signal) {
      const full = withQuery(path, { ...query, watch: "true" });
      const resp = await send("GET", full, (ctx) => ctx.setSignal(signal));
      if (resp.httpStatusCode !== 200) {
        const text = await resp.body.text();
        throw apiError("GET", full, resp, text === "" ? undefined : parseJsonOr(text));
      }
      const stream = resp.body.stream();
      if (!stream) throw new Error(`GET ${full} returned no body`);
      return watchEvents(stream);
    },
    close: () => transport.close(),
  };
}

/** The HTTP status of an ApiException (or undefined for anything else). */
export function statusCodeOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/** Counts each request and reuses one connection pool instead of client-node's pool-per-request. */
class CountedTransport implements PromiseHttpLibrary {
  readonly #inner = new IsomorphicFetchHttpLibrary();
  readonly #metrics: Metrics;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #poolMaxAgeMs: number;
  #pool: { dispatcher: Dispatcher; since: number } | undefined;

  constructor(metrics: Metrics, opts: ClientOptions) {
    this.#metrics = metrics;
    this.#userAgent = opts.userAgent ?? `ramp-controller/${pkg.version}`;
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#poolMaxAgeMs = opts.poolMaxAgeMs ?? 5 * 60_000;
  }

  async send(ctx: RequestContext): Promise<ResponseContext> {
    const { verb, resource } = describeRequest(ctx.getHttpMethod(), ctx.getUrl());
    this.#reusePool(ctx);
    ctx.setHeaderParam("User-Agent", this.#userAgent);
    if (verb !== "watch") {
      const timeout = AbortSignal.timeout(this.#timeoutMs);
      const caller = ctx.getSignal();
      ctx.setSignal(caller ? AbortSignal.any([caller, timeout]) : timeout);
    }
    try {
      const resp = await this.#inner.send(ctx).toPromise();
      this.#metrics.kube.requests.inc({ verb, resource, code: String(resp.httpStatusCode) });
      return resp;
    } catch (err) {
      this.#metrics.kube.requests.inc({ verb, resource, code: "error" });
      throw err;
    }
  }

  // KubeConfig.applySecurityAuthentication builds a new undici Agent on every call, so each request
  // would open its own TLS connection; keep one pool and only renew it now and then.
  #reusePool(ctx: RequestContext): void {
    const fresh = ctx.getDispatcher();
    if (fresh === undefined) return;
    const now = Date.now();
    const pool = this.#pool;
    if (pool && now - pool.since < this.#poolMaxAgeMs) {
      ctx.setDispatcher(pool.dispatcher);
      void fresh.close().catch(() => {});
      return;
    }
    this.#pool = { dispatcher: fresh, since: now };
    // Later, so a request that was just handed the old pool can still start on it; close() waits for
    // in-flight requests (a long watch keeps its connection until it ends).
    if (pool) setTimeout(() => void pool.dispatcher.close().catch(() => {}), 10_000).unref();
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.dispatcher.close().catch(() => {});
  }
}

/** KubernetesObjectApi with the current context's namespace as default, like its makeApiClient. */
class CountedObjectApi extends KubernetesObjectApi {
  constructor(config: Configuration, kc: KubeConfig) {
    super(config);
    this.setDefaultNamespace(kc);
  }
}

/** Splits a watch body into JSON lines; a line that is not a watch event means a broken stream. */
async function* watchEvents(stream: ReadableStream<Uint8Array>): AsyncGenerator<WatchEvent> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== "") yield toWatchEvent(line);
      newline = buffered.indexOf("\n");
    }
  }
  const last = (buffered + decoder.decode()).trim();
  if (last !== "") yield toWatchEvent(last);
}

const watchTypes = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]);

function toWatchEvent(line: string): WatchEvent {
  const value = parseJson(line);
  if (typeof value === "object" && value !== null && "type" in value && "object" in value) {
    const { type, object } = value;
    if (typeof type === "string" && watchTypes.has(type) && typeof object === "object" && object !== null) {
      return { type, object } as WatchEvent;
    }
  }
  throw new Error(`malformed watch event: ${line.slice(0, 200)}`);
}

function withQuery(path: string, query: Record<string, string>): string {
  const qs = new URLSearchParams(query).toString();
  if (qs === "") return path;
  return `${path}${path.includes("?") ? "&" : "?"}${qs}`;
}

function apiError(method: string, path: string, resp: ResponseContext, body: unknown): ApiException<unknown> {
  const status = typeof body === "object" && body !== null && "message" in body ? String(body.message) : "";
  return new ApiException(
    resp.httpStatusCode,
    `${method} ${path}: ${status || `HTTP ${resp.httpStatusCode}`}`,
    body,
    resp.headers,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`apiserver sent invalid JSON: ${text.slice(0, 200)}`, { cause: err });
  }
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
