// The delivery contract: what the caller builds (a Job that can prepare its HTTP request) and what it is told.

export type HttpRequest = {
  /** http or https; may hold a credential (a Slack webhook's path): only its origin is ever reported. */
  url: string;
  /** May hold secrets: never logged, never in an error message or a metric. */
  headers: Record<string, string>;
  body: string;
  /** Slack's Web API answers 200 with {"ok":false,"error":"..."}: a failure reason, or undefined when fine. */
  check?: (status: number, body: string) => string | undefined;
};

export type Job = {
  /** Unique per message and destination; a job already queued or in flight with this id is not queued again. */
  id: string;
  /** The destination (queue and metrics label), e.g. "Notifier/shop/slack" or "ClusterNotifier/ops". */
  destination: string;
  event: string;
  /**
   * Builds the request (reads Secrets, renders). A throw is a failed attempt, retried like any other; its
   * reason is `err.reason` when that is a short snake_case string (keep them few: it is a metric label),
   * else "prepare".
   */
  prepare(): Promise<HttpRequest>;
};

export type Outcome = { ok: true } | { ok: false; reason: string; message: string };
