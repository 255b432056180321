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

/** Whether the resident memory not explained by live objects grew by more than `slack` since `last`. */
export function shouldTrim(now: MemorySample, last: MemorySample, slack = TRIM_SLACK_BYTES): boolean {
  return now.rss - now.heapUsed > last.rss - last.heapUsed + slack;
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
  const timer = setInterval(() => {
    const before = sample();
    if (!shouldTrim(before, last)) return;
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
  }, opts.intervalMs ?? TRIM_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
