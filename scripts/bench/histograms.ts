// The controller's own latency histograms over one pass: where a reaction's time went (waiting in the work
// queue, running the handler, waiting for the apiserver), read as bucket deltas between two scrapes.
import type { Scrape } from "../../dev/scrape.ts";
import { isWrite } from "./sampler.ts";

/** `le` → cumulative count, summed over every series of one histogram that passes `keep`. */
export type Buckets = Map<number, number>;

export function bucketsOf(
  scraped: Scrape,
  name: string,
  keep: (labels: Record<string, string>) => boolean,
): Buckets {
  const out: Buckets = new Map();
  for (const s of scraped.find(`${name}_bucket`)) {
    if (!keep(s.labels)) continue;
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

export function diffBuckets(after: Buckets, before: Buckets): Buckets {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

/** Prometheus' histogram_quantile: linear inside the bucket that holds rank q; the last finite bound beyond. */
export function quantile(q: number, buckets: Buckets): number {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const count = buckets.get(le) ?? 0;
    if (count >= rank) {
      if (le === Infinity) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(count - below, 1e-9);
    }
    lower = le;
    below = count;
  }
  return lower;
}

const SERIES = {
  queueWait: ["ramp_workqueue_queue_duration_seconds", () => true],
  handler: ["ramp_workqueue_work_duration_seconds", () => true],
  apiWrite: ["ramp_kube_api_request_duration_seconds", (l) => isWrite(`${l.verb} ${l.resource}`)],
  // Not a stage: the controller's own view of pause → next step, without the harness's watch.
  pauseOverrun: ["ramp_rollout_pause_overrun_seconds", () => true],
} as const satisfies Record<string, readonly [string, (labels: Record<string, string>) => boolean]>;

export type Stage = { n: number; p50: number; p99: number };
export type Stages = Record<keyof typeof SERIES, Stage>;

/** p50/p99 in ms of each stage between two scrapes of the controller's /metrics. */
export function stagesBetween(before: Scrape, after: Scrape): Stages {
  const entries = Object.entries(SERIES).map(([stage, [name, keep]]) => {
    const b = diffBuckets(bucketsOf(after, name, keep), bucketsOf(before, name, keep));
    const ms = (q: number) => Math.round(quantile(q, b) * 1000);
    return [stage, { n: b.get(Infinity) ?? 0, p50: ms(0.5), p99: ms(0.99) }];
  });
  return Object.fromEntries(entries) as Stages;
}
