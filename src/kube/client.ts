// The controller's Kubernetes API client: raw JSON requests and watches over one counted node:https pool, so
// ramp_kube_api_requests_total sees all traffic. Not client-node's generated clients: loading them costs
// ~90 MB of RSS per process, more than everything else the controller holds (docs/performance.md).
import type { KubernetesObject } from "@kubernetes/client-node";
import pkg from "../../package.json" with { type: "json" };
import type { Metrics } from "../observability/metrics.ts";
import { ApiError } from "./api-error.ts";
import { type Connection, connectionOf, type KubeConfigLike } from "./kubeconfig.ts";
import { type RateLimit, rateLimiter, type TokenBucket } from "./rate-limit.ts";
import { describeRequest } from "./request-info.ts";
import { honourRetryAfter, type RetryAfterPolicy } from "./retry-after.ts";
import { type Answer, type HttpMethod, type Outgoing, Transport } from "./transport.ts";

export type { HttpMethod } from "./transport.ts";
export { ApiError };

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
  /** The apiserver's URL. */
  readonly server: string;
  /** The kubeconfig context's namespace (or the pod's), for tools that default to it. */
  readonly namespace: string;
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
  /** Sent as User-Agent; defaults to ramp-controller/<version>, plus `(<identity>)` when given. */
  userAgent?: string;
  /** This replica's identity: in the default User-Agent, so audit logs tell two replicas' requests apart. */
  identity?: string;
  /** Limit for every non-watch request, headers and body; default 30 s. Watches set their own. */
  requestTimeoutMs?: number;
  /** Retries of answers that carry Retry-After (429, 5xx); default 10 retries, waits capped at 10 s. */
  retryAfter?: RetryAfterPolicy;
  /** Client-side limit on every attempt (watches included), as --kube-api-qps/--kube-api-burst; default none. */
  rateLimit?: RateLimit;
}

/** The API client on one counted transport, from a Connection (or a loaded client-node KubeConfig). */
export function makeClients(
  source: Connection | KubeConfigLike,
  metrics: Metrics,
  opts: ClientOptions = {},
): Clients {
  const conn = "getCurrentCluster" in source ? connectionOf(source) : source;
  const transport = new CountedTransport(new Transport(conn), metrics, opts);

  async function send(
    method: HttpMethod,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
    streaming = false,
  ) {
    try {
      return await transport.send({
        method,
        path,
        headers: { Accept: "application/json", ...headers },
        ...(body === undefined ? {} : { body }),
        signal,
        streaming,
      });
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
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const headers: Record<string, string> =
      payload === undefined ? {} : { "Content-Type": contentType ?? "application/json" };
    const resp = await send(method, path, payload, headers, signal);
    const text = await resp.body.text();
    if (resp.httpStatusCode >= 400)
      throw apiError(method, path, resp, text === "" ? undefined : parseJsonOr(text));
    return (text === "" ? undefined : parseJson(text)) as T;
  }

  return {
    server: conn.server,
    namespace: conn.namespace,
    request: (method, path, body, contentType) => request(method, path, body, contentType),
    list: (path, query, signal) => request("GET", withQuery(path, query), undefined, undefined, signal),
    async watch(path, query, signal) {
      const full = withQuery(path, { ...query, watch: "true" });
      const resp = await send("GET", full, undefined, {}, signal, true);
      if (resp.httpStatusCode !== 200) {
        const text = await resp.body.text();
        throw apiError("GET", full, resp, text === "" ? undefined : parseJsonOr(text));
      }
      return watchEvents(resp.body.stream());
    },
    close: () => transport.close(),
  };
}

/** ramp-controller/<version>, and ` (<identity>)` with anything a header cannot carry replaced. */
export function defaultUserAgent(identity?: string): string {
  const base = `ramp-controller/${pkg.version}`;
  return identity ? `${base} (${identity.replace(/[^\x20-\x7e]|[()]/g, "_")})` : base;
}

/** The HTTP status of an API error: ramp's ApiError or client-node's ApiException (the plugin's); else undefined. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const known = err instanceof ApiError || err.constructor?.name === "ApiException";
  return known && typeof err.code === "number" ? err.code : undefined;
}

/**
 * Counts each request, retries answers that carry Retry-After, and reuses one connection pool instead of
 * client-node's pool-per-request.
 */
class CountedTransport {
  readonly #inner: Transport;
  readonly #metrics: Metrics;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #retryAfter: RetryAfterPolicy;
  readonly #limiter: TokenBucket | undefined;

  constructor(inner: Transport, metrics: Metrics, opts: ClientOptions) {
    this.#inner = inner;
    this.#metrics = metrics;
    this.#userAgent = opts.userAgent ?? defaultUserAgent(opts.identity);
    this.#timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#retryAfter = opts.retryAfter ?? {};
    this.#limiter = rateLimiter(opts.rateLimit);
  }

  async send(out: Outgoing): Promise<Answer> {
    const { verb, resource } = describeRequest(out.method, `${this.#inner.server}${out.path}`);
    const headers = { ...out.headers, "User-Agent": this.#userAgent };
    return honourRetryAfter(() => this.#attempt({ ...out, headers }, verb, resource), {
      ...this.#retryAfter,
      signal: out.signal,
      onRetry: (resp) =>
        this.#metrics.kube.retries.inc({ verb, resource, code: String(resp.httpStatusCode) }),
    });
  }

  // One try; the timeout is per attempt, so waiting out a Retry-After never eats into it.
  async #attempt(out: Outgoing, verb: string, resource: string): Promise<Answer> {
    // Waiting for a token is not apiserver latency: the request is timed from when it goes.
    await this.#limiter?.take(out.signal);
    let signal = out.signal;
    if (!out.streaming) {
      const timeout = AbortSignal.timeout(this.#timeoutMs);
      signal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    }
    const started = performance.now();
    try {
      const resp = await this.#inner.send({ ...out, signal });
      this.#metrics.kube.requests.inc({ verb, resource, code: String(resp.httpStatusCode) });
      // A watch's answer is its headers; the stream that follows is not a request's latency.
      if (!out.streaming)
        this.#metrics.kube.requestDuration.observe({ verb, resource }, (performance.now() - started) / 1000);
      return resp;
    } catch (err) {
      this.#metrics.kube.requests.inc({ verb, resource, code: "error" });
      throw err;
    }
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Splits a watch body into JSON lines; a line that is not a watch event means a broken stream. */
async function* watchEvents(stream: AsyncIterable<Uint8Array>): AsyncGenerator<WatchEvent> {
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

function apiError(method: string, path: string, resp: Answer, body: unknown): ApiError {
  const status = typeof body === "object" && body !== null && "message" in body ? String(body.message) : "";
  return new ApiError(
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
