// Every permission decision is the apiserver's: a SubjectAccessReview for the viewer (cluster mode) or a
// SelfSubjectAccessReview with the user's own credentials (local mode), cached briefly, failing closed.
import type { Clients } from "../../kube/client.ts";
import type { Logger } from "../../observability/log.ts";
import type { Identity } from "./identity.ts";

export type ResourceAttributes = {
  verb: string;
  group: string;
  resource: string;
  namespace: string;
  subresource?: string | undefined;
  name?: string | undefined;
};

/** The RBAC rule as people write it: `patch rollouts.ramp.dev/status in namespace team-a`. */
export function describeRule(a: ResourceAttributes): string {
  const resource = a.group === "" ? a.resource : `${a.resource}.${a.group}`;
  return `${a.verb} ${resource}${a.subresource ? `/${a.subresource}` : ""} in namespace ${a.namespace}`;
}

type Review = { status?: { allowed?: boolean; denied?: boolean } };
const SAR_PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
const SELF_SAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

export class Authorizer {
  readonly #clients: Clients;
  readonly #self: boolean;
  readonly #log: Logger;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { at: number; answer: Promise<boolean> }>();

  /** `self`: ask SelfSubjectAccessReview (local mode, where the server's credentials are the user's). */
  constructor(clients: Clients, opts: { self: boolean; log: Logger; ttlMs?: number }) {
    this.#clients = clients;
    this.#self = opts.self;
    this.#log = opts.log;
    this.#ttlMs = opts.ttlMs ?? 10_000;
  }

  /** May `who` do this? Concurrent identical questions share one review; errors deny. */
  allowed(who: Identity, attrs: ResourceAttributes): Promise<boolean> {
    const key = JSON.stringify([this.#self ? "" : [who.user, who.groups, who.uid, who.extra], attrs]);
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < this.#ttlMs) return hit.answer;
    const answer = this.#review(who, attrs, key);
    this.#cache.set(key, { at: now, answer });
    if (this.#cache.size > 50_000) this.#cache.clear();
    return answer;
  }

  async #review(who: Identity, attrs: ResourceAttributes, key: string): Promise<boolean> {
    const resourceAttributes = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined));
    const spec = this.#self
      ? { resourceAttributes }
      : {
          resourceAttributes,
          user: who.user,
          groups: who.groups,
          ...(who.uid ? { uid: who.uid } : {}),
          ...(who.extra ? { extra: who.extra } : {}),
        };
    const kind = this.#self ? "SelfSubjectAccessReview" : "SubjectAccessReview";
    try {
      const review = await this.#clients.request<Review>("POST", this.#self ? SELF_SAR_PATH : SAR_PATH, {
        apiVersion: "authorization.k8s.io/v1",
        kind,
        spec,
      });
      return review?.status?.allowed === true && review.status.denied !== true;
    } catch (err) {
      // Denied now, asked again next time: an apiserver hiccup must not stick for the cache's lifetime.
      this.#cache.delete(key);
      this.#log.warn({ err, user: who.user, rule: describeRule(attrs) }, "access review failed; denying");
      return false;
    }
  }
}

export const ROLLOUTS = { group: "ramp.dev", resource: "rollouts" } as const;
