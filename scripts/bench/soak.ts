// --soak: the controller keeps working (a new version to 1% of the Rollouts every minute, cycling over the
// Rollouts the passes shipped, whose state is already full) while its memory is sampled. Flatness is judged
// on what stays resident after each of the controller's memory trims (ramp_memory_resident_after_trim_bytes):
// the level a leak raises. The RSS samples saw up and down by a hundred MiB as V8 collects and trims, so
// their medians move with the saw's height and are reported beside it, not instead of it. The cache sizes
// at the start and the end say whether the controller was asked to hold more objects.
import { type Scrape, scrape } from "../../dev/scrape.ts";
import type { BenchContext } from "./pass.ts";
import { median, mib, round } from "./report.ts";
import type { ControllerSampler, Sample } from "./sampler.ts";
import { nameOf, passPatch, patchRollout, pool } from "./workload.ts";

const medianRss = (xs: Sample[]) => median(xs.map((s) => s.rssBytes));
const growth = (from: number, to: number) => (from > 0 ? round(((to - from) / from) * 100) : 0);

/** One minute's reading of the controller's own memory and cache gauges. */
export type SoakReading = {
  at: number;
  trims: number;
  residentAfterTrim: number;
  cache: Record<string, number>;
};

export function readingOf(s: Scrape, at: number): SoakReading {
  const cache: Record<string, number> = {};
  for (const x of s.find("ramp_kube_cache_objects")) cache[x.labels.resource ?? ""] = x.value;
  return {
    at,
    trims: s.value("ramp_memory_trims_total") ?? 0,
    residentAfterTrim: s.value("ramp_memory_resident_after_trim_bytes") ?? 0,
    cache,
  };
}

/** The resident memory after each trim seen from `from` on, once per trim (readings repeat between trims). */
export function trimLevels(readings: SoakReading[], from: number): number[] {
  const levels: number[] = [];
  let last = -1;
  for (const r of readings) {
    if (r.trims === last || r.trims === 0) continue;
    last = r.trims;
    if (r.at >= from) levels.push(r.residentAfterTrim);
  }
  return levels;
}

/** Medians of the first and last thirds of the post-trim levels; undefined with fewer than 3 trims. */
export function trimGrowth(levels: number[]) {
  if (levels.length < 3) return undefined;
  const third = Math.floor(levels.length / 3);
  const [warm, end] = [median(levels.slice(0, third)), median(levels.slice(-third))];
  return { trims: levels.length, warmMiB: mib(warm), endMiB: mib(end), growthPercent: growth(warm, end) };
}

export async function soak(ctx: BenchContext, sampler: ControllerSampler, durationMs: number) {
  const started = Date.now();
  // A fifth of the soak, at least a minute (half of a shorter soak).
  const warmUntil = started + Math.max(Math.min(60_000, durationMs / 2), durationMs / 5);
  // The Rollouts the passes shipped: each has its history and its series already, so a ship adds none.
  const cycle = ctx.opts.ship || ctx.opts.rollouts;
  const share = Math.min(cycle, Math.max(1, Math.floor(ctx.opts.rollouts / 100)));
  ctx.say(
    `soak for ${Math.round(durationMs / 60_000)} min: a new version to ${share} of the first ${cycle} Rollouts every minute`,
  );
  const readings: SoakReading[] = [];
  const read = async () => {
    try {
      readings.push(readingOf(await scrape(ctx.controller.metricsUrl), Date.now()));
    } catch {
      // A busy controller may answer late; the next minute reads again.
    }
  };
  let round_ = 0;
  while (Date.now() - started < durationMs) {
    await read();
    const first = (round_ * share) % cycle;
    const names = Array.from({ length: share }, (_, i) => nameOf((first + i) % cycle));
    // The plain steps again (the rollback pass left a failing analysis in them), so each one promotes.
    const patch = passPatch(`app:soak-${round_}`, ctx.opts.steps);
    await pool(names, 16, async (n) => {
      await patchRollout(ctx.clients, ctx.namespace, n, patch);
    });
    round_++;
    const rss = sampler.samples.at(-1)?.rssBytes ?? 0;
    const after = readings.at(-1)?.residentAfterTrim ?? 0;
    ctx.say(
      `soak: ${Math.round((Date.now() - started) / 60_000)} min, controller RSS ${mib(rss)} MiB, ${mib(after)} MiB after its last trim`,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(60_000, started + durationMs - Date.now()))));
  }
  await read();
  const samples = sampler.between(warmUntil, Date.now());
  const third = Math.max(1, Math.floor(samples.length / 3));
  const warm = medianRss(samples.slice(0, third));
  const end = medianRss(samples.slice(-third));
  const afterTrims = trimGrowth(trimLevels(readings, warmUntil));
  const warmCache = readings.find((r) => r.at >= warmUntil)?.cache;
  const endCache = readings.at(-1)?.cache;
  return {
    minutes: round(durationMs / 60_000),
    rolloutsCycled: cycle,
    ...(afterTrims ? { afterTrims } : {}),
    ...(warmCache && endCache ? { cacheObjects: { warm: warmCache, end: endCache } } : {}),
    warmRssMiB: mib(warm),
    endRssMiB: mib(end),
    maxRssMiB: mib(Math.max(0, ...samples.map((s) => s.rssBytes))),
    growthPercent: growth(warm, end),
    slopeMiBPer10Min: round(slope(samples) * 600_000),
  };
}

/** Least-squares slope of RSS over time, in MiB per millisecond (0 with fewer than two samples). */
export function slope(samples: Sample[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mt = samples.reduce((a, s) => a + s.at, 0) / n;
  const mr = samples.reduce((a, s) => a + s.rssBytes / 1048576, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - mt) * (s.rssBytes / 1048576 - mr);
    den += (s.at - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
