// Server-side sessions behind an opaque cookie: the browser holds a random id, never a token or a name.
import { createHash, randomBytes } from "node:crypto";
import type { Identity } from "./identity.ts";

export const SESSION_COOKIE = "ramp_session";
export const SESSION_TTL_MS = 8 * 3600_000;

export type Session = {
  id: string;
  identity: Identity;
  csrfToken: string;
  expiresAt: number;
  /** Cluster mode: the bearer token it was made from, re-checked with TokenReview as the cache expires. */
  token?: string | undefined;
};

export class Sessions {
  readonly #byId = new Map<string, Session>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  create(identity: Identity, token?: string): Session {
    this.#sweep();
    const session: Session = {
      id: randomBytes(32).toString("base64url"),
      identity,
      csrfToken: randomBytes(24).toString("base64url"),
      expiresAt: this.#now() + SESSION_TTL_MS,
      token,
    };
    this.#byId.set(hashId(session.id), session);
    return session;
  }

  get(id: string): Session | undefined {
    const key = hashId(id);
    const s = this.#byId.get(key);
    if (s && s.expiresAt <= this.#now()) {
      this.#byId.delete(key);
      return undefined;
    }
    return s;
  }

  delete(id: string): void {
    this.#byId.delete(hashId(id));
  }

  // Expired sessions go when new ones come, so the map never grows without bound.
  #sweep(): void {
    const now = this.#now();
    for (const [k, s] of this.#byId) if (s.expiresAt <= now) this.#byId.delete(k);
  }
}

// Keyed by a hash so a timing side channel on Map lookup says nothing about live ids.
const hashId = (id: string) => createHash("sha256").update(id).digest("base64url");

/** The Set-Cookie value for a session (or its removal when `id` is undefined). */
export function sessionCookie(id: string | undefined): string {
  const attrs = "HttpOnly; Secure; SameSite=Strict; Path=/";
  return id === undefined
    ? `${SESSION_COOKIE}=; ${attrs}; Max-Age=0`
    : `${SESSION_COOKIE}=${id}; ${attrs}; Max-Age=${SESSION_TTL_MS / 1000}`;
}

/** The session id from a Cookie header, if any. */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === SESSION_COOKIE) return v.join("=") || undefined;
  }
  return undefined;
}
