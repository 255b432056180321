// A fault-injecting HTTPS proxy between controllers and the local kube-apiserver: on a configurable share
// of requests it answers 429 or 503 with Retry-After, 500, or 409 (PUT/PATCH) itself, without the
// apiserver seeing the request; it can also let a write through and lose the answer (504); it cuts watch
// streams at random; and it logs every request with the client that sent it (each client gets its own
// port and kubeconfig), so tests can audit writers and retries.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent, createServer, request, type Server } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { localPaths } from "../../dev/cluster/paths.ts";
import { loadKubeConfig } from "../../dev/kube.ts";
import { describeRequest } from "../../src/kube/request-info.ts";
import { seeded } from "./chaos/plan.ts";

/** The answers the proxy makes up; 504 is the only one sent after the apiserver applied the request. */
export type FaultKind = "429" | "500" | "503" | "409" | "504";

export interface Faults {
  /** Share (0–1) of requests answered 429 Too Many Requests with Retry-After. */
  tooManyRequests?: number;
  /** Share answered 500 Internal Server Error, without Retry-After. */
  internalError?: number;
  /** Share answered 503 Service Unavailable with Retry-After. */
  unavailable?: number;
  /** Share of PUT and PATCH requests answered 409 Conflict, as a write from a stale read gets. */
  conflict?: number;
  /** Share of writes passed on, whose answer is then replaced by 504 Timeout: applied, but the client cannot know. */
  lostAnswer?: number;
  /** Retry-After in whole seconds, drawn from [min, max]; default [1, 2]. */
  retryAfterSeconds?: [number, number];
  /** Share of watches whose connection is destroyed after a lifetime drawn from watchLifetimeMs. */
  cutWatches?: number;
  /** Default [200, 5000] ms. */
  watchLifetimeMs?: [number, number];
}

/** One request as the proxy saw it; times are Date.now() milliseconds. */
export interface LoggedRequest {
  seq: number;
  /** The name the client's kubeconfig was made for. */
  client: string;
  userAgent: string;
  method: string;
  /** Path and query as sent. */
  url: string;
  /** As the apiserver would log them, e.g. patch rollouts/status. */
  verb: string;
  resource: string;
  write: boolean;
  /** sha256 of the body (16 hex digits), "" without one: a request and its retries share it. */
  bodyDigest: string;
  at: number;
  /** When the status line went back (for a watch: when the stream opened). */
  respondedAt?: number;
  /** When the answer ended or the connection closed. */
  endedAt?: number;
  /** What the client got; undefined when it hung up first. */
  status?: number;
  /** What the apiserver answered, for a request passed on (differs from status for a lost answer). */
  upstreamStatus?: number;
  fault?: FaultKind;
  retryAfterSeconds?: number;
  /** A watch the proxy cut. */
  cut?: boolean;
}

const hopByHop = ["connection", "keep-alive", "transfer-encoding", "host", "proxy-connection", "upgrade"];
const reasons: Record<FaultKind, string> = {
  "429": "TooManyRequests",
  "500": "InternalError",
  "503": "ServiceUnavailable",
  "409": "Conflict",
  "504": "Timeout",
};

export class FaultProxy {
  /** Change at any time: the next request uses the new shares. */
  faults: Faults;
  readonly log: LoggedRequest[] = [];
  readonly seed: number;
  readonly #random: () => number;
  readonly #base: KubeConfig;
  readonly #upstream: URL;
  readonly #agent: Agent;
  readonly #tls: { cert: Buffer; key: Buffer };
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #dir = mkdtempSync(join(tmpdir(), "ramp-fault-proxy-"));

  private constructor(base: KubeConfig, faults: Faults, seed: number) {
    const cluster = base.getCurrentCluster();
    if (!cluster?.caData)
      throw new Error("fault proxy: the kubeconfig needs a cluster with certificate-authority-data");
    this.#base = base;
    this.#upstream = new URL(cluster.server);
    this.#agent = new Agent({ keepAlive: true, ca: Buffer.from(cluster.caData, "base64") });
    // The apiserver's own serving pair (SAN 127.0.0.1, the cluster CA): clients keep their CA data.
    const pki = localPaths().pkiDir;
    this.#tls = { cert: readFileSync(join(pki, "serving.crt")), key: readFileSync(join(pki, "serving.key")) };
    this.faults = faults;
    this.seed = seed;
    // The same seed makes the same faults in the same order.
    this.#random = seeded(seed).next;
  }

  /** A proxy to the local cluster; `seed` makes the faults repeatable (default: the clock). */
  static start(opts: { faults?: Faults; seed?: number; base?: KubeConfig } = {}): FaultProxy {
    return new FaultProxy(
      opts.base ?? loadKubeConfig(),
      opts.faults ?? {},
      opts.seed ?? Date.now() % 2 ** 31,
    );
  }

  /** Opens a port for `client` and writes a kubeconfig that points at it; returns the file's path. */
  async kubeconfigFor(client: string): Promise<string> {
    const server = createServer(this.#tls, (req, res) => void this.#handle(client, req, res));
    server.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#servers.push(server);
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("fault proxy has no port");
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: this.#base.getClusters().map((c) => ({ ...c, server: `https://127.0.0.1:${address.port}` })),
      users: this.#base.getUsers(),
      contexts: this.#base.getContexts(),
      currentContext: this.#base.getCurrentContext(),
    });
    const file = join(this.#dir, `${client.replace(/[^a-zA-Z0-9_.-]/g, "_")}.kubeconfig`);
    writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
    return file;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.#agent.destroy();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #handle(client: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const { verb, resource } = describeRequest(method, url);
    const entry: LoggedRequest = {
      seq: this.log.length,
      client,
      userAgent: req.headers["user-agent"] ?? "",
      method,
      url,
      verb,
      resource,
      write: ["POST", "PUT", "PATCH", "DELETE"].includes(method),
      bodyDigest: "",
      at: Date.now(),
    };
    this.log.push(entry);
    res.on("close", () => {
      entry.endedAt ??= Date.now();
    });
    let body: Buffer;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    } catch {
      return;
    }
    if (body.length > 0) entry.bodyDigest = createHash("sha256").update(body).digest("hex").slice(0, 16);
    const fault = this.#pickFault(method);
    if (fault && fault !== "504") this.#answer(entry, res, fault);
    else this.#forward(entry, req, res, body, { watch: verb === "watch", lose: fault === "504" });
  }

  // One draw per request over the cumulative shares; 409 applies to PUT and PATCH, 504 to writes.
  #pickFault(method: string): FaultKind | undefined {
    const f = this.faults;
    const update = method === "PUT" || method === "PATCH";
    const shares: [FaultKind, number][] = [
      ["429", f.tooManyRequests ?? 0],
      ["500", f.internalError ?? 0],
      ["503", f.unavailable ?? 0],
      ["409", update ? (f.conflict ?? 0) : 0],
      ["504", update || method === "POST" || method === "DELETE" ? (f.lostAnswer ?? 0) : 0],
    ];
    let r = this.#random();
    for (const [kind, share] of shares) {
      if (r < share) return kind;
      r -= share;
    }
    return undefined;
  }

  #answer(entry: LoggedRequest, res: ServerResponse, fault: FaultKind): void {
    const code = Number(fault);
    const headers: Record<string, string> = { "content-type": "application/json" };
    const details: Record<string, unknown> = {};
    if (fault === "429" || fault === "503") {
      const [min, max] = this.faults.retryAfterSeconds ?? [1, 2];
      const seconds = min + Math.floor(this.#random() * (max - min + 1));
      headers["retry-after"] = String(seconds);
      details.retryAfterSeconds = seconds;
      entry.retryAfterSeconds = seconds;
    }
    entry.fault = fault;
    entry.status = code;
    entry.respondedAt = Date.now();
    res.writeHead(code, headers);
    res.end(
      JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `fault injected by the test proxy: ${reasons[fault]}`,
        reason: reasons[fault],
        details,
        code,
      }),
    );
  }

  #forward(
    entry: LoggedRequest,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    { watch, lose }: { watch: boolean; lose: boolean },
  ): void {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    for (const h of hopByHop) delete headers[h];
    if (body.length > 0) headers["content-length"] = String(body.length);
    const up = request({
      host: this.#upstream.hostname,
      port: this.#upstream.port || 443,
      method: entry.method,
      path: entry.url,
      headers: { ...headers, host: this.#upstream.host },
      agent: this.#agent,
    });
    let cut: NodeJS.Timeout | undefined;
    up.on("response", (answer) => {
      entry.upstreamStatus = answer.statusCode ?? 502;
      if (lose) {
        answer.resume();
        answer.on("end", () => this.#answer(entry, res, "504"));
        return;
      }
      entry.status = answer.statusCode ?? 502;
      entry.respondedAt = Date.now();
      const out: Record<string, string | string[] | undefined> = { ...answer.headers };
      for (const h of hopByHop) delete out[h];
      res.writeHead(entry.status, out);
      answer.pipe(res);
      answer.on("error", () => res.destroy());
      const f = this.faults;
      if (watch && entry.status === 200 && this.#random() < (f.cutWatches ?? 0)) {
        const [min, max] = f.watchLifetimeMs ?? [200, 5000];
        cut = setTimeout(
          () => {
            entry.cut = true;
            res.destroy();
            answer.destroy();
          },
          min + this.#random() * (max - min),
        );
      }
      res.on("close", () => {
        clearTimeout(cut);
        if (!answer.complete) answer.destroy();
      });
    });
    up.on("error", () => {
      if (res.headersSent) res.destroy();
      else {
        entry.status = 502;
        res.writeHead(502).end();
      }
    });
    // The client hung up before the answer (a killed controller, an aborted watch): stop there too.
    res.on("close", () => {
      if (!up.writableFinished || entry.respondedAt === undefined) up.destroy();
    });
    up.end(body);
  }
}
