// The controller's own HTTP endpoint: /metrics for Prometheus and /healthz, /readyz for the kubelet's
// probes. Plain node:http: three read-only routes do not need a framework.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { Registry } from "prom-client";
import type { ExpositionSource } from "./exposition.ts";
import { type Logger, silentLogger } from "./log.ts";

// Not `import ... from "node:http"`: an ESM import reads node:http's lazy WebSocket getters, which load
// Node's bundled undici (about 2 MiB of heap) that ramp never uses (docs/performance.md).
const { createServer } = process.getBuiltinModule("node:http");

/** A health check: healthy when it returns true; false, a throw or a timeout mean unhealthy. */
export type Check = () => boolean | Promise<boolean>;

export interface HttpRoutes {
  /** Served on /metrics; without it /metrics is 404. */
  registry?: Registry;
  /**
   * Series rendered at scrape time, written after the registry's on /metrics chunk by chunk. They write
   * the Prometheus text format, so the registry must keep prom-client's default content type.
   */
  collectors?: ExpositionSource[];
  /** Liveness checks by name, served on /healthz (no checks: always ok). */
  healthz?: Record<string, Check>;
  /** Readiness checks by name, served on /readyz (no checks: always ok). */
  readyz?: Record<string, Check>;
}

export interface HttpServerOptions {
  /**
   * "host:port" to bind, default "127.0.0.1:8080". "[::1]:8080" for IPv6. ":8080" (no host) binds
   * every interface, as a Deployment wants so that Prometheus and the kubelet reach the pod; port 0
   * picks a free port.
   */
  addr?: string;
  routes: HttpRoutes;
  /** A check taking longer than this fails; default 5 s. */
  checkTimeoutMs?: number;
  log?: Logger;
}

export interface HttpServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** Stops accepting, ends open connections and resolves when the server is closed. */
  close(): Promise<void>;
}

/** Splits "host:port", "[v6]:port" or ":port"; host is undefined for "all interfaces". */
export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(addr);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid listen address ${JSON.stringify(addr)}: want host:port, [ipv6]:port or :port`);
  }
  const host = match[1] ?? match[2];
  return { host: host === "" ? undefined : host, port };
}

/** Starts the server and resolves once it listens. */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const { host, port } = parseListenAddress(opts.addr ?? "127.0.0.1:8080");
  const log = opts.log ?? silentLogger;
  const { registry, collectors = [] } = opts.routes;
  // Collectors write text 0.0.4; OpenMetrics after it would be one mixed, unparsable exposition.
  if (collectors.length > 0 && registry && registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) {
    throw new Error(
      `/metrics collectors need the registry's content type ${Registry.PROMETHEUS_CONTENT_TYPE}`,
    );
  }
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((err: unknown) => {
      log.error({ err, path: req.url }, "http handler failed");
      if (!res.headersSent) send(res, 500, "internal error\n");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  log.info({ address: bound.address, port: bound.port }, "http server listening");
  return {
    port: bound.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Web and Prometheus analysis mark their requests with this header: they may never read the controller's endpoints. */
export const WEB_ANALYSIS_HEADER = "ramp-web-analysis";

async function handle(req: IncomingMessage, res: ServerResponse, opts: HttpServerOptions): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  // Catches the paths an address check cannot see: a Service in front of this pod, the other replica.
  if (req.headers[WEB_ANALYSIS_HEADER] !== undefined) {
    send(res, 403, "web analysis may not call the controller's own endpoints\n");
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    send(res, 405, "method not allowed\n");
    return;
  }
  switch (path) {
    case "/metrics": {
      const registry = opts.routes.registry;
      if (!registry) break;
      const collectors = opts.routes.collectors ?? [];
      if (collectors.length === 0) send(res, 200, await registry.metrics(), registry.contentType);
      else await stream(res, registry, collectors);
      return;
    }
    case "/healthz":
    case "/readyz": {
      const checks = (path === "/healthz" ? opts.routes.healthz : opts.routes.readyz) ?? {};
      const failed = await failingChecks(checks, opts.checkTimeoutMs ?? 5_000);
      if (failed.length === 0) send(res, 200, "ok\n");
      else send(res, 503, `${failed.map((name) => `${name} failed`).join("\n")}\n`);
      return;
    }
  }
  send(res, 404, "not found\n");
}

async function failingChecks(checks: Record<string, Check>, timeoutMs: number): Promise<string[]> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) =>
      (await passes(check, timeoutMs)) ? undefined : name,
    ),
  );
  return results.filter((name) => name !== undefined);
}

async function passes(check: Check, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The registry's text, then each collector's chunks as they come (no Content-Length: chunked encoding). */
async function stream(
  res: ServerResponse,
  registry: Registry,
  collectors: ExpositionSource[],
): Promise<void> {
  res.statusCode = 200;
  res.setHeader("Content-Type", registry.contentType);
  if (res.req.method === "HEAD") {
    res.end();
    return;
  }
  if (!(await write(res, await registry.metrics()))) return;
  for (const collect of collectors)
    for await (const chunk of collect()) if (!(await write(res, chunk))) return;
  res.end();
}

/**
 * Writes one chunk, waiting for the socket to drain when its buffer is full, and otherwise letting the
 * event loop run (watches, reconciles) before the next chunk is rendered. False once the client is gone.
 */
async function write(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) await yieldToLoop();
  else if (!(await drained(res))) return false;
  return !res.destroyed;
}

function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once("drain", onDrain);
    res.once("close", onClose);
  });
}

function send(res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8") {
  res.statusCode = status;
  res.setHeader("Content-Type", contentType);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(res.req.method === "HEAD" ? undefined : body);
}
