// How long to wait before the next attempt: exponential with jitter, or what the server asked for.

export type Backoff = { initialMs: number; maxMs: number };

/**
 * The wait after failed attempt `n` (1-based): `initialMs·2^(n−1)` capped at `maxMs`, of which a random
 * half is taken off ("equal jitter"), so lanes failing together do not retry together. A server's
 * Retry-After is honoured instead (capped at `maxRetryAfterMs`, never below `initialMs`), plus up to 10%:
 * jitter only adds, so no one comes back before they were asked to.
 */
export function nextWait(
  n: number,
  b: Backoff,
  random: () => number,
  retryAfterMs?: number,
  maxRetryAfterMs = 300_000,
): number {
  if (retryAfterMs !== undefined) {
    const asked = Math.max(Math.min(retryAfterMs, maxRetryAfterMs), b.initialMs);
    return asked + Math.floor(random() * asked * 0.1);
  }
  const full = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(n - 1, 30));
  return Math.ceil(full / 2 + random() * (full / 2));
}
