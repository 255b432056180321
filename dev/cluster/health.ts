// Readiness probes for the components: plain GETs against loopback endpoints, trusting only our CA.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface GetOptions {
  /** PEM CA to trust for https URLs. */
  ca?: string;
  token?: string;
  timeoutMs?: number;
}

export interface GetResult {
  status: number;
  body: string;
}

export function httpGet(url: string, opts: GetOptions = {}): Promise<GetResult> {
  const u = new URL(url);
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const request = u.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      { headers, timeout: opts.timeoutMs ?? 2_000, ...(opts.ca ? { ca: opts.ca } : {}) },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** True when GET `url` answers 200; never throws. */
export async function answers200(url: string, opts: GetOptions = {}): Promise<boolean> {
  try {
    return (await httpGet(url, opts)).status === 200;
  } catch {
    return false;
  }
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked every round: a component that died will never become ready, so fail at once. */
  alive?: () => boolean;
  /** Text appended to the error, e.g. the tail of the component's log. */
  diagnose?: () => string;
}

/** Polls `check` until it returns true; throws naming `what` on timeout or when `alive` turns false. */
export async function pollUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: PollOptions,
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return;
    const diagnosis = () => (opts.diagnose ? `\n${opts.diagnose()}` : "");
    if (opts.alive && !opts.alive()) throw new Error(`ramp: ${what}: the process exited${diagnosis()}`);
    if (Date.now() > deadline)
      throw new Error(`ramp: timed out after ${opts.timeoutMs}ms: ${what}${diagnosis()}`);
    await sleep(opts.intervalMs ?? 100);
  }
}

/** Whether 127.0.0.1:port can be bound right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel picks as free on 127.0.0.1 (it may be taken again before use; callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("ramp: could not pick a free port"))));
    });
  });
}
