// One attempt: prepare the request, POST it through the address policy, read at most 64 KiB of the
// answer, and say whether it worked and, if not, whether another attempt may help.
import type { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Readable } from "node:stream";
import type { Guard } from "../../analysis/providers/guarded-http.ts";
import { RampError } from "../../errors.ts";
import { retryAfterMs } from "../../kube/retry-after.ts";
import type { FailureReason } from "./metrics.ts";
import { safeUrl, scrub, secretsOf } from "./redact.ts";
import type { HttpRequest, Job } from "./types.ts";

// Not `import ... from "node:http"`: an ESM import reads node:http's lazy WebSocket getters, which load
// Node's bundled undici (about 2 MiB of heap) that ramp never uses (docs/performance.md).
const { Agent: HttpAgentClass } = process.getBuiltinModule("node:http");

export const MAX_BODY = 64 * 1024;

export type Attempt =
  | { ok: true }
  | {
      ok: false;
      reason: string;
      message: string;
      /** Another attempt may succeed (a 5xx, 429, timeout, network error, a prepare that threw). */
      retry: boolean;
      /** The server's Retry-After, in ms, when it sent one. */
      retryAfterMs?: number;
    };

export type SendOptions = {
  guard: Guard;
  timeoutMs: number;
  /** Aborted when the deliveries stop: the attempt ends at once, its result is not used. */
  stop: AbortSignal;
  now: () => number;
  agents: { http: HttpAgent; https: HttpsAgent };
};

// axios and the guarded adapter load with the first message: a controller with no Notifier never needs
// them (docs/adr/0017-lazy-modules-and-v8-flags.md).
let httpModules:
  | Promise<[typeof import("axios"), typeof import("../../analysis/providers/guarded-http.ts")]>
  | undefined;
const loadHttp = () => {
  httpModules ??= Promise.all([import("axios"), import("../../analysis/providers/guarded-http.ts")]);
  return httpModules;
};

/** Fresh connections each time (no keep-alive): each one goes to the address the policy just checked. */
export const newAgents = () => ({
  http: new HttpAgentClass({ keepAlive: false }),
  https: new HttpsAgent({ keepAlive: false }),
});

const fail = (reason: FailureReason | string, message: string, retry: boolean, after?: number): Attempt =>
  after === undefined
    ? { ok: false, reason, message, retry }
    : { ok: false, reason, message, retry, retryAfterMs: after };

/** The reason a prepare() throw names, if it is a plain label; else "prepare". */
function prepareReason(err: unknown): string {
  const r = (err as { reason?: unknown } | null)?.reason;
  return typeof r === "string" && /^[a-z][a-z0-9_]{0,39}$/.test(r) ? r : "prepare";
}

/** Runs `job` once within `timeoutMs` (prepare and send together). */
export async function attempt(job: Job, o: SendOptions): Promise<Attempt> {
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(), o.timeoutMs);
  const signal = AbortSignal.any([o.stop, timer.signal]);
  try {
    let req: HttpRequest;
    try {
      req = await untilAborted(job.prepare(), signal);
    } catch (err) {
      // prepare()'s messages are the caller's (a Secret's name, a template error): no request secret yet.
      const why = timer.signal.aborted
        ? `took longer than ${o.timeoutMs} ms`
        : String((err as Error)?.message ?? err);
      return fail(prepareReason(err), `preparing the request failed: ${scrub(why, [])}`, true);
    }
    return await post(req, o, signal, timer.signal).catch(() =>
      // Never expected; a lane must outlive it, and the error may quote the request, so it is not repeated.
      fail("network", `sending to ${safeUrl(req.url)} failed unexpectedly`, true),
    );
  } finally {
    clearTimeout(timeout);
  }
}

async function post(
  req: HttpRequest,
  o: SendOptions,
  signal: AbortSignal,
  timedOut: AbortSignal,
): Promise<Attempt> {
  const secrets = secretsOf(req.url, req.headers);
  const where = safeUrl(req.url);
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return fail("rejected", "the destination URL is not valid", false);
  }
  // The policy's refusal names the hop by this, never by the full URL.
  const guard: Guard = {
    ...o.guard,
    subject: (u, hop) => (hop === 0 ? safeUrl(u) : `${where} redirected to ${safeUrl(u)}`),
  };
  let status: number;
  let headers: Record<string, string>;
  let body: string;
  let unread: unknown;
  try {
    const [{ default: axios, AxiosHeaders }, { guardedAdapter }] = await loadHttp();
    const res = await axios.request<Readable>({
      adapter: guardedAdapter(guard),
      url: url.toString(),
      method: "POST",
      headers: new AxiosHeaders(req.headers),
      data: req.body,
      transformRequest: [(d: unknown) => d],
      timeout: o.timeoutMs,
      signal,
      responseType: "stream",
      validateStatus: () => true,
      httpAgent: o.agents.http,
      httpsAgent: o.agents.https,
    });
    status = res.status;
    headers = plainHeaders(res.headers, AxiosHeaders);
    body = await readCapped(res.data, signal).catch((err: unknown) => {
      unread = err ?? new Error("the answer could not be read");
      return "";
    });
  } catch (err) {
    return failure(err, where, secrets, o.timeoutMs, timedOut);
  }
  if (status >= 200 && status <= 299) {
    if (req.check === undefined) return { ok: true };
    // The status came but not the body `check` needs: a timeout or a broken connection, worth retrying.
    if (unread !== undefined) return failure(unread, where, secrets, o.timeoutMs, timedOut);
    let refused: string | undefined;
    try {
      refused = req.check(status, body);
    } catch (err) {
      refused = `the answer could not be checked (${String((err as Error)?.message ?? err)})`;
    }
    // A 2xx that `check` refuses (Slack's ok:false: invalid_auth, channel_not_found…) will not change.
    if (refused !== undefined)
      return fail("rejected", `${where} answered ${status} but ${scrub(refused, secrets, 200)}`, false);
    return { ok: true };
  }
  const asked = status === 429 || status === 503 ? retryAfterMs(status, headers, o.now()) : undefined;
  const said = body.trim() === "" ? "" : `: ${scrub(body, secrets, 200)}`;
  const message = `${where} answered ${status}${said}`;
  if (status === 429) return fail("rate_limited", message, true, asked);
  if (status >= 500) return fail("status_5xx", message, true, asked);
  if (status === 408) return fail("timeout", message, true);
  // 400, 401, 403, 404, 410, 413, a 3xx without Location…: the same request would be refused again.
  return fail("rejected", message, false);
}

/** Why the request threw, with no URL path, query or header value in the message. */
function failure(
  err: unknown,
  where: string,
  secrets: string[],
  timeoutMs: number,
  timedOut: AbortSignal,
): Attempt {
  if (err instanceof RampError && err.code === "WebAnalysisDenied")
    return fail(
      "denied",
      `refused by the address policy: ${scrub(err.message.replace(/^WebAnalysisDenied: /, ""), secrets)}`,
      false,
    );
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code =
    typeof e.code === "string" ? e.code : typeof e.cause?.code === "string" ? e.cause.code : undefined;
  const text = typeof e.message === "string" ? e.message : String(err);
  if (timedOut.aborted || code === "ECONNABORTED" || code === "ETIMEDOUT")
    return fail("timeout", `no answer from ${where} within ${timeoutMs} ms`, true);
  if (/more than \d+ redirects|URLs are not supported/.test(text))
    return fail("rejected", `${where}: ${scrub(text, secrets)}`, false);
  return fail("network", `${where} could not be reached: ${code ?? scrub(text, secrets)}`, true);
}

function plainHeaders(h: unknown, AxiosHeaders: typeof import("axios").AxiosHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  if (h instanceof AxiosHeaders) for (const [k, v] of h) if (typeof v === "string") out[k.toLowerCase()] = v;
  return out;
}

/** The answer's first MAX_BODY bytes as text; the rest is never read (the connection is closed). */
async function readCapped(stream: Readable, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  const abort = () => stream.destroy();
  signal.addEventListener("abort", abort, { once: true });
  try {
    for await (const chunk of stream) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(b);
      n += b.length;
      if (n >= MAX_BODY) break;
    }
  } finally {
    signal.removeEventListener("abort", abort);
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString("utf8");
}

/** `p`, or a rejection when `signal` aborts first (a prepare() that hangs costs one attempt). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
