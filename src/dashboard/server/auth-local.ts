// Local mode's only way in: the one-time token in the URL `kubectl ramp dashboard` printed. The first
// GET /?token=T (compared in constant time) consumes it and becomes a session cookie; nothing else is accepted.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Clients } from "../../kube/client.ts";
import type { AuthOutcome } from "./auth.ts";
import type { Identity } from "./identity.ts";
import type { FailureLimiter } from "./rate-limit.ts";
import { type Session, type Sessions, sessionIdOf } from "./sessions.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

export class LocalAuth {
  #token: Buffer | undefined;
  readonly #sessions: Sessions;
  readonly #limiter: FailureLimiter;
  readonly #identity: Identity;

  constructor(token: string, identity: Identity, sessions: Sessions, limiter: FailureLimiter) {
    if (token.length < 16) throw new Error("the local dashboard token must have at least 16 characters");
    this.#token = digest(token);
    this.#identity = identity;
    this.#sessions = sessions;
    this.#limiter = limiter;
  }

  /** Trades the one-time token for a session; a wrong or spent token counts as a failure. */
  redeem(
    candidate: string,
    address: string,
  ): { kind: "ok"; session: Session } | Exclude<AuthOutcome, { kind: "ok" }> {
    const limited = this.#limiter.check(address);
    if (limited.limited) return { kind: "limited", retryAfterSeconds: limited.retryAfterSeconds };
    // Equal-length digests, so the comparison takes the same time whatever the candidate.
    const ok = this.#token !== undefined && timingSafeEqual(this.#token, digest(candidate));
    if (!ok) {
      this.#limiter.fail(address);
      return { kind: "denied" };
    }
    this.#token = undefined;
    return { kind: "ok", session: this.#sessions.create(this.#identity) };
  }

  async authenticate(req: IncomingMessage): Promise<AuthOutcome> {
    const id = sessionIdOf(req.headers.cookie);
    const session = id === undefined ? undefined : this.#sessions.get(id);
    if (!session) return { kind: "none" };
    return {
      kind: "ok",
      viewer: {
        ...session.identity,
        csrfToken: session.csrfToken,
        sessionId: session.id,
      },
      revalidate: async () => this.#sessions.get(session.id) !== undefined,
    };
  }
}

type SelfSubjectReview = { status?: { userInfo?: { username?: string; uid?: string; groups?: string[] } } };

/** Who the kubeconfig's credentials are, as the apiserver says (SelfSubjectReview, Kubernetes ≥ 1.28). */
export async function whoAmI(clients: Clients, fallback: string): Promise<Identity> {
  try {
    const r = await clients.request<SelfSubjectReview>(
      "POST",
      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    );
    const u = r?.status?.userInfo;
    if (u?.username) return { user: u.username, groups: u.groups ?? [], uid: u.uid };
  } catch {
    // Older apiservers lack it; the name is only for the record, permissions are asked anyway.
  }
  return { user: fallback, groups: [] };
}
