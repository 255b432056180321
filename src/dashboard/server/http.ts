// HTTP plumbing: the security headers every answer carries, JSON and error bodies, gzip, request bodies,
// and the app's static files (hashed names cached for a year, index.html never).
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

/** The app's files: `files` keyed by their (hashed) name under /assets/, and the index.html page. */
export type Assets = { index: string; files: Map<string, { body: Buffer; type: string }> };

export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export function securityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** An error with the HTTP status to answer; its message goes to the client, so it names no secret. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

const accepts = (req: IncomingMessage, encoding: string) =>
  String(req.headers["accept-encoding"] ?? "")
    .split(",")
    .some((e) => e.trim().split(";")[0] === encoding);

type Body = { raw: Buffer; gzip?: Buffer | undefined };

/** Sends a body, gzipped when the client takes it and it is worth it. */
export function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: Body,
  headers: Record<string, string> = {},
): void {
  const gzip = body.gzip ?? (body.raw.length >= 1024 ? gzipSync(body.raw) : undefined);
  const useGzip = gzip !== undefined && accepts(req, "gzip");
  const payload = useGzip ? gzip : body.raw;
  res.writeHead(status, {
    ...headers,
    "Content-Type": type,
    "Content-Length": String(payload.length),
    Vary: "Accept-Encoding",
    ...(useGzip ? { "Content-Encoding": "gzip" } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : payload);
}

export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const raw = Buffer.from(JSON.stringify(value));
  sendBody(
    req,
    res,
    status,
    "application/json; charset=utf-8",
    { raw },
    { "Cache-Control": "no-store", ...headers },
  );
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: HttpError): void {
  sendJson(req, res, err.status, { error: err.message }, err.headers);
}

/** The request body as JSON (at most `limit` bytes); 400 when it is not JSON, 413 when too large. */
export async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "the request body is not JSON");
  }
}

/** The client's address as the socket sees it (a forwarded header could be forged, so it is not read). */
export const clientAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? "unknown";

/** The app's files, compressed once at start. */
export class StaticFiles {
  readonly #files = new Map<string, { type: string; body: Body; etag: string }>();
  readonly #index: { body: Body; etag: string };

  constructor(assets: Assets) {
    const prepare = (raw: Buffer): Body => ({ raw, gzip: raw.length >= 1024 ? gzipSync(raw) : undefined });
    const etag = (raw: Buffer) => `"${createHash("sha256").update(raw).digest("base64url").slice(0, 22)}"`;
    for (const [name, f] of assets.files)
      this.#files.set(name, { type: f.type, body: prepare(f.body), etag: etag(f.body) });
    const index = Buffer.from(assets.index);
    this.#index = { body: prepare(index), etag: etag(index) };
  }

  /** Serves /assets/<name>; false when there is no such file. */
  asset(req: IncomingMessage, res: ServerResponse, name: string): boolean {
    const f = this.#files.get(name);
    if (!f) return false;
    // Hashed names never change content: cache for a year, never revalidate.
    this.#send(req, res, f.type, f.body, f.etag, "public, max-age=31536000, immutable");
    return true;
  }

  /** index.html, for / and every page route: always revalidated, so a new build is picked up at once. */
  index(req: IncomingMessage, res: ServerResponse): void {
    this.#send(req, res, "text/html; charset=utf-8", this.#index.body, this.#index.etag, "no-cache");
  }

  #send(
    req: IncomingMessage,
    res: ServerResponse,
    type: string,
    body: Body,
    etag: string,
    cache: string,
  ): void {
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { ETag: etag, "Cache-Control": cache });
      res.end();
      return;
    }
    sendBody(req, res, 200, type, body, { ETag: etag, "Cache-Control": cache });
  }
}
