// Who is asking: the apiserver's own description of a user (TokenReview's status.user), never one the
// browser supplies. Every permission question is asked about exactly this.
export type Identity = {
  user: string;
  groups: string[];
  uid?: string | undefined;
  extra?: Record<string, string[]> | undefined;
};

/** An authenticated request: the identity, its CSRF token, and how it came in. */
export type Viewer = Identity & {
  csrfToken: string;
  /** The session id when a cookie carried it (logout ends it), else undefined (a bearer token). */
  sessionId?: string | undefined;
};
