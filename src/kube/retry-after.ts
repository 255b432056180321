// Retry-After, as client-go honours it: a 429, or any 5xx that carries Retry-After, is sent again after
// the delay the apiserver asked for (capped, a bounded number of times). Safe for writes: such an answer
// means the apiserver did not apply the request. Every other answer goes back to the caller unchanged.
import { setTimeout as sleep } from "node:timers/promises";

export interface RetryAfterPolicy {
  /** Retries of one request at most; default 10, as client-go. */
  maxRetries?: number;
  /** The longest wait, whatever the server asks, so one worker is never parked for long; default 10 s. */
  maxDelayMs?: number;
}

/** The parts of an HTTP answer the retry needs (client-node's ResponseContext has them). */
export interface Answer {
  httpStatusCode: number;
  headers: Record<string, string>;
  body: { text(): Promise<string> };
}

export interface RetryAfterOptions<T extends Answer> extends RetryAfterPolicy {
  /** Aborts the wait between attempts (the caller gave up). */
  signal?: AbortSignal | undefined;
  /** Randomness in [0, 1) for the jitter added on top of the asked delay. */
  random?: () => number;
  /** Waits ms; injectable so unit tests need no real time. */
  wait?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Told of each retry before its wait: the answer being retried and the wait in ms. */
  onRetry?: (answer: T, waitMs: number) => void;
}

/**
 * The milliseconds the server asked to wait before a retry, or undefined when the answer is not to be
 * retried: only a 429 or 5xx with a Retry-After of whole seconds (client-go's checkWait) or an HTTP date.
 */
export function retryAfterMs(
  status: number,
  headers: Record<string, string>,
  now = Date.now(),
): number | undefined {
  if (status !== 429 && status < 500) return undefined;
  const value = headerValue(headers, "retry-after")?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only the HTTP date form (IMF-fixdate): Date.parse alone would read "-1" as a year.
  if (!httpDate.test(value)) return undefined;
  return Math.max(0, Date.parse(value) - now);
}

const httpDate = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Calls `attempt` until its answer is not a Retry-After one or the retries are spent, waiting the asked
 * delay (capped) plus up to 10% jitter between attempts, never less than asked. A discarded answer's body
 * is read to the end so its connection can be reused.
 */
export async function honourRetryAfter<T extends Answer>(
  attempt: () => Promise<T>,
  opts: RetryAfterOptions<T> = {},
): Promise<T> {
  const maxRetries = opts.maxRetries ?? 10;
  const maxDelayMs = opts.maxDelayMs ?? 10_000;
  const random = opts.random ?? Math.random;
  const wait = opts.wait ?? ((ms, signal) => sleep(ms, undefined, signal ? { signal } : {}));
  for (let retries = 0; ; retries++) {
    const answer = await attempt();
    const asked = retryAfterMs(answer.httpStatusCode, answer.headers);
    if (asked === undefined || retries >= maxRetries || opts.signal?.aborted) return answer;
    await answer.body.text().catch(() => "");
    const base = Math.min(asked, maxDelayMs);
    // Jitter only adds: many workers told the same delay spread out, none comes back early.
    const waitMs = base + Math.floor(random() * base * 0.1);
    opts.onRetry?.(answer, waitMs);
    await wait(waitMs, opts.signal);
  }
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  if (name in headers) return headers[name];
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
