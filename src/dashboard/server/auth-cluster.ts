// Cluster mode's way in: a Kubernetes bearer token (Authorization, an auth proxy's header, or a session made
// by POST /api/login), each checked by TokenReview and cached by its sha256 for 60 s. Failures are rate
// limited per client address.
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Clients } from "../../kube/client.ts";
import type { Logger } from "../../observability/log.ts";
import type { AuthOutcome } from "./auth.ts";
import type { Identity } from "./identity.ts";
import type { FailureLimiter } from "./rate-limit.ts";
import { type Session, type Sessions, sessionIdOf } from "./sessions.ts";

const TOKEN_REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews";
const TOKEN_TTL_MS = 60_000;

type TokenReview = {
  status?: {
    authenticated?: boolean;
    error?: string;
    user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  };
};

const sha256 = (s: string) => createHash("sha256").update(s).digest("base64url");

export class ClusterAuth {
  readonly #clients: Clients;
  readonly #sessions: Sessions;
  readonly #limiter: FailureLimiter;
  readonly #log: Logger;
  readonly #authHeader: string | undefined;
  readonly #reviews = new Map<string, { at: number; identity: Promise<Identity | undefined> }>();
  // Signs the CSRF token of header-authenticated requests: stable per token, useless without this key.
  readonly #csrfKey = randomBytes(32);

  constructor(
    clients: Clients,
    sessions: Sessions,
    limiter: FailureLimiter,
    opts: { log: Logger; authHeader?: string | undefined },
  ) {
    this.#clients = clients;
    this.#sessions = sessions;
    this.#limiter = limiter;
    this.#log = opts.log;
    this.#authHeader = opts.authHeader?.toLowerCase();
  }

  /** Who sent this request: a bearer token in a header first, else the session cookie. */
  async authenticate(req: IncomingMessage, address: string): Promise<AuthOutcome> {
    const token = this.#headerToken(req);
    if (token !== undefined) {
      const limited = this.#limiter.check(address);
      if (limited.limited) return { kind: "limited", retryAfterSeconds: limited.retryAfterSeconds };
      const identity = await this.review(token);
      if (!identity) {
        this.#fail(address);
        return { kind: "denied" };
      }
      const csrfToken = createHmac("sha256", this.#csrfKey).update(sha256(token)).digest("base64url");
      return {
        kind: "ok",
        viewer: { ...identity, csrfToken },
        revalidate: async () => (await this.review(token)) !== undefined,
      };
    }
    const id = sessionIdOf(req.headers.cookie);
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (!session) return { kind: "none" };
    if (!(await this.#sessionHolds(session))) return { kind: "none" };
    return {
      kind: "ok",
      viewer: {
        ...session.identity,
        csrfToken: session.csrfToken,
        sessionId: session.id,
      },
      revalidate: async () =>
        this.#sessions.get(session.id) !== undefined && (await this.#sessionHolds(session)),
    };
  }

  /** POST /api/login: a valid token becomes a session (the cookie), an invalid one counts as a failure. */
  async login(
    token: string,
    address: string,
  ): Promise<{ kind: "ok"; session: Session } | Exclude<AuthOutcome, { kind: "ok" }>> {
    const limited = this.#limiter.check(address);
    if (limited.limited) return { kind: "limited", retryAfterSeconds: limited.retryAfterSeconds };
    const identity = token === "" ? undefined : await this.review(token);
    if (!identity) {
      this.#fail(address);
      return { kind: "denied" };
    }
    return { kind: "ok", session: this.#sessions.create(identity, token) };
  }

  /** The user a token stands for, as TokenReview says (cached 60 s by the token's sha256); undefined if none. */
  review(token: string): Promise<Identity | undefined> {
    const key = sha256(token);
    const now = Date.now();
    const hit = this.#reviews.get(key);
    if (hit && now - hit.at < TOKEN_TTL_MS) return hit.identity;
    for (const [k, v] of this.#reviews) if (now - v.at >= TOKEN_TTL_MS) this.#reviews.delete(k);
    const identity = this.#tokenReview(token, key);
    this.#reviews.set(key, { at: now, identity });
    return identity;
  }

  async #tokenReview(token: string, key: string): Promise<Identity | undefined> {
    try {
      const r = await this.#clients.request<TokenReview>("POST", TOKEN_REVIEW_PATH, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token },
      });
      const user = r?.status?.user;
      if (r?.status?.authenticated !== true || !user?.username) return undefined;
      return { user: user.username, groups: user.groups ?? [], uid: user.uid, extra: user.extra };
    } catch (err) {
      // Not cached: the next request asks again rather than locking a valid user out for a minute.
      this.#reviews.delete(key);
      this.#log.warn({ err }, "TokenReview failed; request not authenticated");
      return undefined;
    }
  }

  // A session lives no longer than its token: a revoked or expired token ends it at the next check.
  async #sessionHolds(session: Session): Promise<boolean> {
    if (session.token === undefined) return true;
    if (await this.review(session.token)) return true;
    this.#sessions.delete(session.id);
    return false;
  }

  // Counted for the rate limit and logged with the address only: the token never reaches a log line.
  #fail(address: string): void {
    this.#limiter.fail(address);
    this.#log.warn({ address }, "dashboard authentication failed");
  }

  #headerToken(req: IncomingMessage): string | undefined {
    const auth = req.headers.authorization;
    const bearer = typeof auth === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
    if (bearer !== undefined) return bearer;
    if (this.#authHeader === undefined) return undefined;
    const raw = req.headers[this.#authHeader];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    return value ? value.replace(/^Bearer\s+/i, "") : undefined;
  }
}
