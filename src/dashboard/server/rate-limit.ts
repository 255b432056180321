// Failed authentications per client address: after `max` in a window the address waits, so tokens and
// one-time URLs cannot be guessed by brute force.
export type RateVerdict = { limited: false } | { limited: true; retryAfterSeconds: number };

export class FailureLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, number[]>();

  constructor(opts: { max?: number; windowMs?: number; now?: () => number } = {}) {
    this.#max = opts.max ?? 10;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Whether `address` must wait before its next attempt. */
  check(address: string): RateVerdict {
    const recent = this.#recent(address);
    if (recent.length < this.#max) return { limited: false };
    const oldest = recent[0] ?? this.#now();
    return {
      limited: true,
      retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.#windowMs - this.#now()) / 1000)),
    };
  }

  fail(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.#now());
    this.#failures.set(address, recent);
    // Bound memory under a spray of addresses: forget the oldest address first.
    if (this.#failures.size > 10_000) {
      const first = this.#failures.keys().next().value;
      if (first !== undefined) this.#failures.delete(first);
    }
  }

  #recent(address: string): number[] {
    const cutoff = this.#now() - this.#windowMs;
    const recent = (this.#failures.get(address) ?? []).filter((t) => t > cutoff);
    if (recent.length === 0) this.#failures.delete(address);
    return recent;
  }
}
