// The client-side rate limit of --kube-api-qps / --kube-api-burst: a token bucket like client-go's
// (flowcontrol.NewTokenBucketRateLimiter). Requests beyond the burst wait their turn, in order, instead
// of failing; with qps 0 there is no client-side limit and the apiserver's fairness queues decide.
import { setTimeout as sleep } from "node:timers/promises";

export type RateLimit = {
  /** Requests a second, sustained; 0 means no limit. */
  qps: number;
  /** Requests that may go at once after a quiet spell; at least 1. */
  burst: number;
};

export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(limit: RateLimit, now: () => number = performance.now.bind(performance)) {
    if (!(limit.qps > 0) || !(limit.burst >= 1))
      throw new Error("a token bucket needs qps > 0 and burst >= 1");
    this.#qps = limit.qps;
    this.#burst = limit.burst;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#last = now();
  }

  /** Takes a token and says how many ms to wait before using it (0: go now). Tokens owed queue up. */
  reserve(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#qps) * 1000;
  }

  /** Waits for a token; rejects with the signal's reason if it aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    const ms = this.reserve();
    if (ms > 0) await sleep(ms, undefined, signal ? { signal } : {});
  }
}

/** The limiter for these flags, or none when qps is 0. */
export function rateLimiter(limit: RateLimit | undefined): TokenBucket | undefined {
  return limit && limit.qps > 0 ? new TokenBucket(limit) : undefined;
}
