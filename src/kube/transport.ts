// HTTP to the apiserver on one keep-alive connection pool of node:http(s) (no HTTP library: undici alone
// costs ~30 MB of RSS): TLS from the Connection, credentials fetched per request (rotated tokens, exec
// renewals), and a fresh pool when the client certificate changes.
import type { IncomingMessage } from "node:http";
import https from "node:https";
import type { Connection, Credentials } from "./kubeconfig.ts";

// Not `import ... from "node:http"`: an ESM import reads node:http's lazy WebSocket getters, which load
// Node's bundled undici (about 2 MiB of heap) that ramp never uses (docs/performance.md).
const http = process.getBuiltinModule("node:http");

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

/** An answer whose body is read at most once, as text or as a stream of chunks. */
export interface Answer {
  httpStatusCode: number;
  headers: Record<string, string>;
  body: { text(): Promise<string>; stream(): AsyncIterable<Uint8Array> };
}

export interface Outgoing {
  method: HttpMethod;
  /** The path with its query, e.g. /api/v1/pods?limit=500. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  /** Watches stream for minutes: no body timeout (the informer watches for silence itself). */
  streaming?: boolean;
}

export class Transport {
  readonly #conn: Connection;
  readonly #http = new http.Agent({ keepAlive: true });
  #agent: { agent: https.Agent; cert: string | undefined; key: string | undefined } | undefined;

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  get server(): string {
    return this.#conn.server;
  }

  async send(out: Outgoing): Promise<Answer> {
    const creds = await this.#conn.credentials();
    const headers: Record<string, string> = { ...out.headers };
    if (creds.token) headers.Authorization = `Bearer ${creds.token}`;
    if (out.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(out.body));
    const url = new URL(`${this.#conn.server}${out.path}`);
    const secure = url.protocol === "https:";
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (secure ? https : http).request(url, {
        method: out.method,
        headers,
        agent: secure ? this.#agentFor(creds) : this.#http,
        ...(out.signal ? { signal: out.signal } : {}),
      });
      req.once("response", resolve);
      req.once("error", reject);
      req.end(out.body);
    });
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    return {
      httpStatusCode: res.statusCode ?? 0,
      headers: flat,
      body: { text: () => readText(res), stream: () => res },
    };
  }

  async close(): Promise<void> {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
    this.#http.destroy();
  }

  // One pool for as long as the client certificate stays the same; the old one's sockets close when idle.
  #agentFor(creds: Credentials): https.Agent {
    const current = this.#agent;
    if (current && current.cert === creds.cert && current.key === creds.key) return current.agent;
    const c = this.#conn;
    const agent = new https.Agent({
      keepAlive: true,
      ...(c.ca ? { ca: c.ca } : {}),
      ...(creds.cert ? { cert: creds.cert } : {}),
      ...(creds.key ? { key: creds.key } : {}),
      ...(c.servername ? { servername: c.servername } : {}),
      rejectUnauthorized: !c.insecure,
    });
    this.#agent = { agent, cert: creds.cert, key: creds.key };
    if (current) setTimeout(() => current.agent.destroy(), 60_000).unref();
    return agent;
  }
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
