// A work queue keyed by `namespace/name`, like client-go's: a key added many times while it waits runs
// once, one key never runs twice at the same time, failures back off per key, and a handler can ask to
// run again later. Handlers read the newest object from the cache, so coalescing loses nothing.
// Urgent keys (a spec change, a user's request, a deadline) run before the rest, like the priorities of
// controller-runtime's priority queue: in a burst, a Rollout that must act waits behind few echoes.
import { type Logger, silentLogger } from "../observability/log.ts";
import type { Metrics } from "../observability/metrics.ts";

/** Every this many keys taken while both lanes wait, one comes from the ordinary lane. */
const ORDINARY_EVERY = 4;

/** How an add ranks: urgent keys run first (the ordinary lane still gets a worker in ORDINARY_EVERY), each lane in order of arrival. */
export type AddOptions = { urgent?: boolean };

/** What a handler may return: run the key again after this many milliseconds (a deadline: urgent unless `urgent: false`). */
export interface HandlerResult {
  requeueAfterMs?: number;
  urgent?: boolean;
}

/** Runs one key; return { requeueAfterMs } to run it again later, throw to retry with backoff. */
// biome-ignore lint/suspicious/noConfusingVoidType: lets plain `async (key) => { ... }` handlers type-check.
export type WorkHandler = (key: string) => Promise<HandlerResult | void> | HandlerResult | void;

/** Time and timers, injectable so tests can move time by hand. */
export interface Clock {
  now(): number;
  /** Runs fn after ms; returns a function that cancels it. */
  schedule(fn: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  schedule(fn, ms) {
    // setTimeout fires at once for delays above 2^31-1 ms (24.8 days); waking early only reconciles again.
    const timer = setTimeout(fn, Math.min(ms, 2_147_483_647));
    return () => clearTimeout(timer);
  },
};

export interface WorkQueueOptions {
  /** Names this queue in metrics (`name` label) and logs. */
  name: string;
  handler: WorkHandler;
  /** Keys processed at the same time; default 1. */
  workers?: number;
  /** Retry delay after the n-th consecutive failure of a key: about base·2^(n-1), capped; default 100 ms … 5 min. */
  backoff?: { baseMs?: number; maxMs?: number };
  metrics?: Metrics;
  log?: Logger;
  clock?: Clock;
  /** Randomness in [0, 1) for retry jitter. */
  random?: () => number;
}

/** Runs `handler` for keys added with add/addAfter, on up to `workers` keys at once. */
export class WorkQueue {
  readonly #opts: WorkQueueOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #workers: number;
  /** Keys ready to run, in order; never holds a key that is running. */
  readonly #ready: string[] = [];
  /** Urgent keys ready to run, in order, taken before #ready; a key is in one lane at most. */
  readonly #urgent: string[] = [];
  /** Keys waiting to run (in a lane, or to be put there when their current run ends): when added, and how. */
  readonly #dirty = new Map<string, { at: number; urgent: boolean }>();
  /** Keys whose handler runs now, and when it started (clock time). */
  readonly #running = new Map<string, number>();
  readonly #delayed = new Map<string, { at: number; cancel: () => void; urgent: boolean }>();
  readonly #failures = new Map<string, number>();
  /** Keys taken since the ordinary lane was last served: every ORDINARY_EVERY-th take is its turn. */
  #sinceOrdinary = 0;
  #shuttingDown = false;
  #idle: (() => void) | undefined;

  constructor(opts: WorkQueueOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? realClock;
    this.#log = (opts.log ?? silentLogger).child({ queue: opts.name });
    this.#workers = Math.max(1, opts.workers ?? 1);
    opts.metrics?.workqueue.trackRunning(opts.name, () => {
      const now = this.#clock.now();
      return Array.from(this.#running.values(), (started) => Math.max(0, now - started) / 1000);
    });
  }

  /** Queues key to run as soon as a worker is free (and its current run, if any, has ended). */
  add(key: string, opts: AddOptions = {}): void {
    if (this.#shuttingDown) return;
    // An add that cuts a delay short keeps the delayed add's rank: a deadline stays urgent.
    const urgent = opts.urgent === true || this.#cancelDelayed(key);
    const waiting = this.#dirty.get(key);
    if (waiting) {
      if (urgent && !waiting.urgent) this.#promote(key, waiting);
      return;
    }
    this.#dirty.set(key, { at: this.#clock.now(), urgent });
    if (!this.#running.has(key)) {
      (urgent ? this.#urgent : this.#ready).push(key);
      this.#reportDepth();
      this.#pump();
    }
  }

  /** Queues key after ms; when the key is already due earlier (or queued now) the earlier time wins. */
  addAfter(key: string, ms: number, opts: AddOptions = {}): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key, opts);
      return;
    }
    // Waiting already: it runs before the delay, unless it waits in the ordinary lane and this is a
    // deadline, which must not depend on how long that lane is. Then the timer promotes it.
    const waiting = this.#dirty.get(key);
    if (waiting && (waiting.urgent || opts.urgent !== true)) return;
    const at = this.#clock.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    const cancel = this.#clock.schedule(() => {
      this.#delayed.delete(key);
      this.add(key, opts);
    }, ms);
    this.#delayed.set(key, { at, cancel, urgent: opts.urgent === true });
  }

  /** Stops taking and starting work, drops waiting keys; resolves when running handlers have finished. */
  shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const { cancel } of this.#delayed.values()) cancel();
    this.#delayed.clear();
    this.#ready.length = 0;
    this.#urgent.length = 0;
    this.#dirty.clear();
    this.#reportDepth();
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle = resolve;
    });
  }

  /** Keys ready to run now (not counting delayed or running keys). */
  get length(): number {
    return this.#ready.length + this.#urgent.length;
  }

  // Urgent first, but the ordinary lane gets every ORDINARY_EVERY-th worker: a steady stream of urgent keys
  // must not starve it (a Rollout waiting there may be about to act too).
  #take(): string | undefined {
    const ordinaryTurn = this.#sinceOrdinary + 1 >= ORDINARY_EVERY && this.#ready.length > 0;
    if (this.#urgent.length > 0 && !ordinaryTurn) {
      // Counts only the urgent takes that passed waiting ordinary keys by.
      this.#sinceOrdinary = this.#ready.length > 0 ? this.#sinceOrdinary + 1 : 0;
      return this.#urgent.shift();
    }
    this.#sinceOrdinary = 0;
    return this.#ready.shift();
  }

  // An ordinary key already waiting turns urgent: it moves to the urgent lane, keeping when it was added.
  #promote(key: string, waiting: { at: number; urgent: boolean }): void {
    waiting.urgent = true;
    if (this.#running.has(key)) return;
    const i = this.#ready.indexOf(key);
    if (i >= 0) this.#ready.splice(i, 1);
    this.#urgent.push(key);
  }

  /** Keys waiting for a delay to pass. */
  get delayedCount(): number {
    return this.#delayed.size;
  }

  /** Consecutive failures of key since its last success. */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  #pump(): void {
    while (!this.#shuttingDown && this.#running.size < this.#workers) {
      const key = this.#take();
      if (key === undefined) break;
      const addedAt = this.#dirty.get(key)?.at ?? this.#clock.now();
      this.#dirty.delete(key);
      this.#running.set(key, this.#clock.now());
      this.#reportDepth();
      // A fresh macrotask per run: a handler that never awaits I/O cannot starve watches and timers.
      setImmediate(() => void this.#process(key, addedAt));
    }
  }

  async #process(key: string, addedAt: number): Promise<void> {
    const labels = { name: this.#opts.name };
    const started = this.#clock.now();
    this.#opts.metrics?.workqueue.queueDuration.observe(labels, (started - addedAt) / 1000);
    try {
      const result = await this.#opts.handler(key);
      this.#failures.delete(key);
      const after = result?.requeueAfterMs;
      if (after !== undefined) this.addAfter(key, after, { urgent: result?.urgent ?? true });
    } catch (err) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      const retryInMs = this.#retryDelay(failures);
      this.#log.warn({ key, err, failures, retryInMs }, "work failed");
      if (!this.#shuttingDown) this.#opts.metrics?.workqueue.retries.inc(labels);
      this.addAfter(key, retryInMs);
    } finally {
      this.#opts.metrics?.workqueue.workDuration.observe(labels, (this.#clock.now() - started) / 1000);
      this.#running.delete(key);
      // Added again while it ran: it goes to the back of its lane now that it is free.
      const again = this.#dirty.get(key);
      if (again) {
        (again.urgent ? this.#urgent : this.#ready).push(key);
        this.#reportDepth();
      }
      if (this.#shuttingDown && this.#running.size === 0) this.#idle?.();
      this.#pump();
    }
  }

  // Exponential with jitter in [ceiling/2, ceiling): retries of many keys spread out, yet still grow.
  #retryDelay(failures: number): number {
    const base = this.#opts.backoff?.baseMs ?? 100;
    const max = this.#opts.backoff?.maxMs ?? 5 * 60_000;
    const ceiling = Math.min(max, base * 2 ** Math.min(failures - 1, 40));
    const random = this.#opts.random ?? Math.random;
    return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
  }

  /** Cancels key's delayed add; whether it was urgent. */
  #cancelDelayed(key: string): boolean {
    const delayed = this.#delayed.get(key);
    if (!delayed) return false;
    delayed.cancel();
    this.#delayed.delete(key);
    return delayed.urgent;
  }

  #reportDepth(): void {
    this.#opts.metrics?.workqueue.depth.set({ name: this.#opts.name }, this.length);
  }
}
