// Gives back the memory a burst of work freed. V8 keeps freed heap pages in a pool, resident, until a
// memory-reducing collection, and its memory reducer starts one only when the process goes idle: under
// steady load (thousands of Rollouts) it never does, and the pool stays at the highest heap ever reached.
// Only available when Node runs with --expose-gc (the image's ENTRYPOINT); otherwise this does nothing.
import type { Logger } from "pino";
import type { Metrics } from "../observability/metrics.ts";

export type MemorySample = { rss: number; heapUsed: number };

/** Memory outside the live heap may grow this much before a trim: about one minute of a busy pool. */
export const TRIM_SLACK_BYTES = 48 * 1024 * 1024;
export const TRIM_INTERVAL_MS = 60_000;
/**
 * Once a burst is over (the event loop busy less than a tenth of a check), a smaller growth is enough: the
 * pool would otherwise stay resident until the next burst, and the one collection costs a quiet process
 * nothing it needed (docs/performance.md, "Where the memory goes").
 */
export const QUIET_SLACK_BYTES = 16 * 1024 * 1024;
export const QUIET_UTILIZATION = 0.1;
export const QUIET_CHECK_MS = 5_000;

/** Whether the resident memory not explained by live objects grew by more than `slack` since `last`. */
export function shouldTrim(now: MemorySample, last: MemorySample, slack = TRIM_SLACK_BYTES): boolean {
  return now.rss - now.heapUsed > last.rss - last.heapUsed + slack;
}

/** Due (a full interval passed) with the busy slack, or quiet (a burst is over) with the smaller one. */
export function trimNow(
  now: MemorySample,
  last: MemorySample,
  when: { due: boolean; quiet: boolean },
): boolean {
  return (when.due && shouldTrim(now, last)) || (when.quiet && shouldTrim(now, last, QUIET_SLACK_BYTES));
}

type Gc = (options?: { type?: "major"; execution?: "sync"; flavor?: "last-resort" }) => void;

const sample = (): MemorySample => {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
};

/** Checks once a `intervalMs` and trims when due; undefined when the process has no `gc` to call. */
export function startMemoryTrim(opts: {
  log: Logger;
  metrics?: Metrics["memory"];
  intervalMs?: number;
}): { stop(): void } | undefined {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (typeof gc !== "function") return undefined;
  let last = sample();
  const intervalMs = opts.intervalMs ?? TRIM_INTERVAL_MS;
  const checkMs = Math.min(QUIET_CHECK_MS, intervalMs);
  let busy = performance.eventLoopUtilization();
  let sinceDue = 0;
  const timer = setInterval(() => {
    const before = sample();
    const quiet = performance.eventLoopUtilization(busy).utilization < QUIET_UTILIZATION;
    busy = performance.eventLoopUtilization();
    sinceDue += checkMs;
    const due = sinceDue >= intervalMs;
    if (due) sinceDue = 0;
    if (!trimNow(before, last, { due, quiet })) return;
    const started = performance.now();
    // "last-resort" is V8's memory-reducing full collection: it empties the page pool.
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    last = sample();
    opts.metrics?.trims.inc();
    opts.metrics?.residentAfterTrim.set(last.rss);
    opts.metrics?.heapUsedAfterTrim.set(last.heapUsed);
    const mib = (b: number) => Math.round(b / 1048576);
    opts.log.info(
      { rssMiB: [mib(before.rss), mib(last.rss)], ms: Math.round(performance.now() - started) },
      "memory trimmed",
    );
  }, checkMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
