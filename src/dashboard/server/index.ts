// startDashboardServer: the dashboard's HTTP server in local mode (the user's kubeconfig, a one-time URL) or
// cluster mode (its own service account; every request a TokenReview, every read and action a review).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clients } from "../../kube/client.ts";
import type { Logger } from "../../observability/log.ts";
import { PAGES } from "../contract.ts";
import { type ApiContext, handleApi } from "./api.ts";
import { ClusterAuth } from "./auth-cluster.ts";
import { LocalAuth, whoAmI } from "./auth-local.ts";
import { Authorizer } from "./authz.ts";
import { type Assets, clientAddress, HttpError, StaticFiles, securityHeaders, sendError } from "./http.ts";
import { FailureLimiter } from "./rate-limit.ts";
import { Sessions, sessionCookie } from "./sessions.ts";
import { HEARTBEAT_MS } from "./sse.ts";
import { RolloutStore } from "./store.ts";

export type { Assets } from "./http.ts";

export type DashboardServerOptions = {
  mode: "local" | "cluster";
  host: string;
  /** 0 picks a free port (the answer's url has it). */
  port: number;
  clients: Clients;
  /** Only this namespace's Rollouts; default every namespace. */
  namespace?: string;
  log: Logger;
  assets: Assets;
  /** Cluster mode: also take the bearer token from this header (an auth proxy's, e.g. X-Forwarded-Access-Token). */
  authHeader?: string;
  /** Local mode: the one-time token (required there). */
  localToken?: string;
  /** Failed authentications per client address and minute before 429; default 10. */
  maxAuthFailures?: number;
  /** How long to wait for the first LIST of Rollouts, ReplicaSets and AnalysisRuns; default 30 s. */
  syncTimeoutMs?: number;
  /** SSE heartbeat interval; default 15 s (tests shorten it). */
  heartbeatMs?: number;
};

export type DashboardServer = { url: string; close(): Promise<void> };

const ROLLOUT_PAGE = /^\/rollouts\/[^/]+\/[^/]+\/?$/;
const isPage = (path: string) => path === PAGES.overview || ROLLOUT_PAGE.test(path);

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const log = opts.log.child({ component: "ramp-dashboard", mode: opts.mode });
  if (opts.mode === "local" && opts.localToken === undefined) throw new Error("local mode needs localToken");
  const sessions = new Sessions();
  const limiter = new FailureLimiter({ max: opts.maxAuthFailures ?? 10 });
  const store = new RolloutStore(opts.clients, { namespace: opts.namespace, log });
  const authz = new Authorizer(opts.clients, { self: opts.mode === "local", log });
  const local =
    opts.mode === "local"
      ? new LocalAuth(opts.localToken ?? "", await whoAmI(opts.clients, "kubeconfig user"), sessions, limiter)
      : undefined;
  const ctx: ApiContext = {
    clients: opts.clients,
    store,
    authz,
    log,
    mode: opts.mode,
    sessions,
    auth: local
      ? { mode: "local", local }
      : {
          mode: "cluster",
          cluster: new ClusterAuth(opts.clients, sessions, limiter, { log, authHeader: opts.authHeader }),
        },
    heartbeatMs: opts.heartbeatMs ?? HEARTBEAT_MS,
  };
  const files = new StaticFiles(opts.assets);
  const localHosts = new Set<string>();
  await store.start(opts.syncTimeoutMs).catch(async (err: unknown) => {
    await store.stop();
    throw err;
  });

  const server = createServer((req, res) => {
    handle(ctx, files, local, localHosts, req, res).catch((err: unknown) => {
      const httpErr = err instanceof HttpError ? err : new HttpError(500, "internal error");
      if (!(err instanceof HttpError)) log.error({ err, path: req.url }, "dashboard request failed");
      if (res.headersSent) res.end();
      else sendError(req, res, httpErr);
    });
  });
  // Bounds receiving a request (headers and body), not answering it: event streams stay open.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const shownHost = host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host;
  log.info({ port, host: opts.host, namespace: opts.namespace ?? "*" }, "dashboard listening");
  // Local mode answers only to its own names, so a DNS-rebound page cannot talk to it.
  for (const name of ["127.0.0.1", "localhost", "[::1]", host]) localHosts.add(`${name}:${port}`);
  return {
    url: `http://${shownHost}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.stop();
    },
  };
}

async function handle(
  ctx: ApiContext,
  files: StaticFiles,
  local: LocalAuth | undefined,
  localHosts: Set<string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  securityHeaders(res);
  const url = new URL(req.url ?? "/", "http://dashboard.invalid");
  const path = url.pathname;
  const method = req.method ?? "GET";
  if (local && !localHosts.has(req.headers.host ?? ""))
    throw new HttpError(403, "unknown Host: open the URL printed");
  if (method === "POST") {
    const origin = req.headers.origin;
    if (origin !== undefined && hostOf(origin) !== req.headers.host)
      throw new HttpError(403, "cross-origin request refused");
  } else if (method !== "GET" && method !== "HEAD") {
    throw new HttpError(405, "method not allowed", { Allow: "GET, HEAD, POST" });
  }
  if (path.startsWith("/api/")) return handleApi(ctx, req, res, path);
  if (method === "POST") throw new HttpError(404, "not found");
  if (path.startsWith("/assets/")) {
    // Hashed names are plain ASCII: looked up as sent, never decoded, so nothing can walk elsewhere.
    if (!files.asset(req, res, path.slice("/assets/".length))) throw new HttpError(404, "not found");
    return;
  }
  if (!isPage(path)) throw new HttpError(404, "not found");
  if (local) {
    const token = url.searchParams.get("token");
    const signedIn = (await local.authenticate(req)).kind === "ok";
    // A browser already signed in that opens the printed URL again just goes on (the token is spent).
    if (path === PAGES.overview && token !== null && signedIn) {
      res.writeHead(302, { Location: "/", "Cache-Control": "no-store" });
      res.end();
      return;
    }
    if (path === PAGES.overview && token !== null) {
      const outcome = local.redeem(token, clientAddress(req));
      if (outcome.kind === "limited")
        throw new HttpError(429, "too many failed attempts", {
          "Retry-After": String(outcome.retryAfterSeconds),
        });
      if (outcome.kind !== "ok")
        throw new HttpError(401, "this link was already used or is wrong: run kubectl ramp dashboard again");
      // The token leaves the address bar: the cookie carries the session from here on.
      res.writeHead(302, {
        Location: "/",
        "Set-Cookie": sessionCookie(outcome.session.id),
        "Cache-Control": "no-store",
      });
      res.end();
      return;
    }
    if (!signedIn) throw new HttpError(401, "not authenticated: open the URL kubectl ramp dashboard printed");
  }
  files.index(req, res);
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
