// The canary's two Services: canaryService and stableService as written, or, with pingPong, the pair's
// current roles (status.canary.stablePingPong, ping first): the canary's Service becomes the stable one at
// promotion instead of the stable one being re-pointed.
import type { CanaryStrategy, RolloutStatus } from "../../api/index.ts";

export type ServiceRoles = {
  stable: string | undefined;
  canary: string | undefined;
  /** With pingPong: which of the pair is stable in these roles. */
  pingPong?: "ping" | "pong" | undefined;
};

export function serviceRoles(spec: CanaryStrategy, status: RolloutStatus): ServiceRoles {
  const pair = spec.pingPong;
  if (!pair) return { stable: spec.stableService, canary: spec.canaryService };
  const stableIsPong = status.canary?.stablePingPong === "pong";
  return stableIsPong
    ? { stable: pair.pongService, canary: pair.pingService, pingPong: "pong" }
    : { stable: pair.pingService, canary: pair.pongService, pingPong: "ping" };
}

/** The roles after a promotion: the canary's Service is the stable one now. */
export const flipped = (r: ServiceRoles): ServiceRoles =>
  r.pingPong ? { stable: r.canary, canary: r.stable, pingPong: r.pingPong === "ping" ? "pong" : "ping" } : r;
