// What an authenticator answers about one request.
import type { Viewer } from "./identity.ts";

export type AuthOutcome =
  /** Authenticated; `revalidate` says whether the credential still holds (long-lived streams ask). */
  | { kind: "ok"; viewer: Viewer; revalidate: () => Promise<boolean> }
  /** No credential at all. */
  | { kind: "none" }
  /** A credential that the apiserver (or the one-time token) refused. */
  | { kind: "denied" }
  /** Too many failures from this address. */
  | { kind: "limited"; retryAfterSeconds: number };
