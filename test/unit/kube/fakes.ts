// Test doubles for the kube/ unit tests: a hand-driven clock and a promise that a test resolves itself.
import type { Clock } from "../../../src/kube/workqueue.ts";

/** A clock whose time moves only through advance(); timers fire in deadline order. */
export class FakeClock implements Clock {
  #now = 0;
  #timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.#now;
  }

  schedule(fn: () => void, ms: number): () => void {
    const timer = { at: this.#now + ms, fn, cancelled: false };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Delays (from now) of timers still pending, in order. */
  pending(): number[] {
    return this.#live()
      .map((t) => t.at - this.#now)
      .sort((a, b) => a - b);
  }

  /** Moves time forward, firing due timers one by one and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#live()
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#now = next.at;
      next.cancelled = true;
      next.fn();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  #live() {
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    return this.#timers;
  }
}

/** Lets queued promise callbacks and I/O callbacks run (several macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * Polls cond between event-loop turns (including timer turns, since the code under test may wait on a
 * real 0 ms timer); fails with `what` if it does not hold within a generous bound.
 */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await settle(1);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
