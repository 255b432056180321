// Sends notifications: one lane per destination, one message in flight per lane, in the order queued.
// Lanes are independent (a hanging or down receiver delays only its own), and nothing here is awaited by
// a reconcile: enqueue returns at once and the outcome reaches the caller through onDone.
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { Guard } from "../../analysis/providers/guarded-http.ts";
import { type Backoff, nextWait } from "./backoff.ts";
import type { NotifyMetrics } from "./metrics.ts";
import { type Attempt, attempt, newAgents } from "./send.ts";
import type { Job, Outcome } from "./types.ts";

export type DeliveriesOptions = {
  /** The address policy, checked on the resolved address of the URL and of every redirect. */
  guard: Guard;
  metrics: NotifyMetrics;
  log?: Logger;
  /** Messages waiting per destination; beyond, enqueue returns false (failed, reason queue_full). */
  maxQueuedPerDestination?: number;
  /** One attempt (prepare and send); a hanging receiver costs this, never a reconcile. */
  attemptTimeoutMs?: number;
  /**
   * From when the message was queued; a message whose next attempt would start later is given up
   * (gave_up), and one still waiting that long behind a destination that has just given one up is given
   * up without an attempt: a dead destination's backlog ends in bounded time, not one timeout after another.
   */
  giveUpAfterMs?: number;
  backoff?: Backoff;
  /** The longest Retry-After honoured, whatever the server asks. */
  maxRetryAfterMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Randomness in [0, 1) for the jitter. */
  random?: () => number;
};

type Entry = { job: Job; onDone: (o: Outcome) => Promise<void> | void; queuedAt: number };
/** `down`: the last message ended given up (the destination failed every attempt), with its last error. */
type Lane = { waiting: Entry[]; running: Promise<void> | undefined; down?: string | undefined };

const realSleep = (ms: number, signal?: AbortSignal) =>
  delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

export class Deliveries {
  private readonly o: Required<Omit<DeliveriesOptions, "log">> & { log: Logger | undefined };
  private readonly lanes = new Map<string, Lane>();
  /** Ids queued or in flight (until their onDone has returned). */
  private readonly ids = new Set<string>();
  private readonly stopping = new AbortController();
  private readonly agents = newAgents();

  constructor(opts: DeliveriesOptions) {
    this.o = {
      guard: opts.guard,
      metrics: opts.metrics,
      log: opts.log,
      maxQueuedPerDestination: opts.maxQueuedPerDestination ?? 1000,
      attemptTimeoutMs: opts.attemptTimeoutMs ?? 10_000,
      giveUpAfterMs: opts.giveUpAfterMs ?? 600_000,
      backoff: opts.backoff ?? { initialMs: 1000, maxMs: 60_000 },
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 300_000,
      now: opts.now ?? Date.now,
      sleep: opts.sleep ?? realSleep,
      random: opts.random ?? Math.random,
    };
  }

  /**
   * Queues a job; `onDone` is awaited before the destination's next send (the caller records the outcome
   * there). True when queued, or already queued or in flight under the same id (then this `onDone` is
   * never called); false when the lane is full (counted as failed, queue_full) or the deliveries stopped.
   */
  enqueue(job: Job, onDone: (o: Outcome) => Promise<void> | void): boolean {
    if (this.stopping.signal.aborted) return false;
    if (this.ids.has(job.id)) return true;
    const lane = this.lanes.get(job.destination) ?? { waiting: [], running: undefined };
    if (lane.waiting.length >= this.o.maxQueuedPerDestination) {
      this.o.metrics.failed.inc({ destination: job.destination, reason: "queue_full" });
      this.o.log?.warn(
        { destination: job.destination, event: job.event, id: job.id },
        "notification queue full, message dropped",
      );
      return false;
    }
    this.lanes.set(job.destination, lane);
    this.ids.add(job.id);
    lane.waiting.push({ job, onDone, queuedAt: this.o.now() });
    this.depth(job.destination, lane);
    lane.running ??= this.drain(job.destination, lane);
    return true;
  }

  /** Whether a job with this id is queued or in flight. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /**
   * Stops sending: aborts in-flight attempts and backoff waits and waits for the lanes to end. Jobs not
   * finished get no onDone (the caller's record still says they are due); enqueue refuses from now on.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.lanes.values()].map((l) => l.running));
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private depth(destination: string, lane: Lane): void {
    this.o.metrics.queueDepth.set({ destination }, lane.waiting.length);
  }

  /** Sends the lane's jobs one by one until it is empty or the deliveries stop; then the lane is gone. */
  private async drain(destination: string, lane: Lane): Promise<void> {
    // Never synchronously inside enqueue: the caller's code after enqueue runs first.
    await Promise.resolve();
    for (let entry = lane.waiting.shift(); entry; entry = lane.waiting.shift()) {
      this.depth(destination, lane);
      let outcome: Outcome | undefined;
      try {
        outcome = this.expired(entry, lane) ?? (await this.deliver(entry.job, entry.queuedAt));
        if (outcome)
          lane.down = outcome.ok ? undefined : outcome.reason === "gave_up" ? outcome.message : lane.down;
      } catch (err) {
        // Only an injected now/sleep can throw here; the lane goes on, the caller's record still says due.
        this.o.log?.error({ destination, id: entry.job.id, err }, "delivering a notification failed");
        this.ids.delete(entry.job.id);
        continue;
      }
      if (outcome === undefined) break;
      try {
        await entry.onDone(outcome);
      } catch (err) {
        this.o.log?.error(
          { destination, id: entry.job.id, err },
          "recording a notification's outcome failed",
        );
      }
      this.ids.delete(entry.job.id);
      if (this.stopping.signal.aborted) break;
    }
    lane.running = undefined;
    if (lane.waiting.length === 0 && this.lanes.get(destination) === lane) this.lanes.delete(destination);
  }

  /** A message that waited out its whole budget behind a destination that is down: given up unsent. */
  private expired(entry: Entry, lane: Lane): Outcome | undefined {
    const waited = this.o.now() - entry.queuedAt;
    if (lane.down === undefined || waited < this.o.giveUpAfterMs) return undefined;
    const { destination, event, id } = entry.job;
    this.o.metrics.failed.inc({ destination, reason: "gave_up" });
    const message = `gave up unsent after waiting ${(waited / 1000).toFixed(1)} s behind a destination that is down (${lane.down})`;
    this.o.log?.warn({ destination, event, id, reason: "gave_up", error: message }, "notification given up");
    return { ok: false, reason: "gave_up", message: message.slice(0, 800) };
  }

  /** Attempts `job` until it is sent, fails for good or is given up; undefined when stopped first. */
  private async deliver(job: Job, queuedAt: number): Promise<Outcome | undefined> {
    const { metrics, log, now } = this.o;
    const stop = this.stopping.signal;
    const first = queuedAt;
    const fields = { destination: job.destination, event: job.event, id: job.id };
    for (let n = 1; ; n++) {
      const a: Attempt = await attempt(job, {
        guard: this.o.guard,
        timeoutMs: this.o.attemptTimeoutMs,
        stop,
        now,
        agents: this.agents,
      });
      if (stop.aborted) return undefined;
      if (a.ok) {
        metrics.sent.inc({ destination: job.destination, event: job.event });
        log?.debug({ ...fields, attempts: n }, "notification sent");
        return { ok: true };
      }
      metrics.failed.inc({ destination: job.destination, reason: a.reason });
      if (!a.retry) {
        log?.warn({ ...fields, attempts: n, reason: a.reason, error: a.message }, "notification failed");
        return { ok: false, reason: a.reason, message: a.message };
      }
      const wait = nextWait(n, this.o.backoff, this.o.random, a.retryAfterMs, this.o.maxRetryAfterMs);
      const elapsed = now() - first;
      if (elapsed + wait > this.o.giveUpAfterMs) {
        metrics.failed.inc({ destination: job.destination, reason: "gave_up" });
        const tries = n === 1 ? "1 attempt" : `${n} attempts`;
        const message = `gave up after ${tries} in ${(elapsed / 1000).toFixed(1)} s; the last: ${a.message}`;
        log?.warn({ ...fields, attempts: n, reason: a.reason, error: message }, "notification given up");
        return { ok: false, reason: "gave_up", message };
      }
      log?.info(
        { ...fields, attempt: n, reason: a.reason, error: a.message, retryInMs: wait },
        "notification attempt failed, retrying",
      );
      await this.o.sleep(wait, stop);
      if (stop.aborted) return undefined;
    }
  }
}
