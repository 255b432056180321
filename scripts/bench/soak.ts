// --soak: the controller keeps working (a new version to 1% of the Rollouts every minute) while its memory
// is sampled. After the warm-up (the first fifth, at least a minute), growth compares the median RSS of the
// last third with that of the first third, and the slope fits a line through every sample: the resident
// set saws up and down by a hundred MiB as V8 collects and trims, so two one-minute windows were noise.
// The floor does the same with each minute's lowest sample, the bottom of the saw: what stays resident
// after collections, which is what grows if something leaks, however the saw's height drifts.
import type { BenchContext } from "./pass.ts";
import { mib, round } from "./report.ts";
import type { ControllerSampler, Sample } from "./sampler.ts";
import { nameOf, passPatch, patchRollout, pool } from "./workload.ts";

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const median = (xs: Sample[]) => medianOf(xs.map((s) => s.rssBytes));

/** Each whole minute's lowest RSS, in order. */
export function minuteFloors(samples: Sample[]): number[] {
  const byMinute = new Map<number, number>();
  const start = samples[0]?.at ?? 0;
  for (const s of samples) {
    const m = Math.floor((s.at - start) / 60_000);
    byMinute.set(m, Math.min(byMinute.get(m) ?? Infinity, s.rssBytes));
  }
  return [...byMinute.values()];
}

export async function soak(ctx: BenchContext, sampler: ControllerSampler, durationMs: number) {
  const started = Date.now();
  const warmUntil = started + Math.max(60_000, durationMs / 5);
  const share = Math.max(1, Math.floor(ctx.opts.rollouts / 100));
  ctx.say(`soak for ${Math.round(durationMs / 60_000)} min: a new version to ${share} Rollouts every minute`);
  let round_ = 0;
  while (Date.now() - started < durationMs) {
    const first = (round_ * share) % ctx.opts.rollouts;
    const names = Array.from({ length: share }, (_, i) => nameOf((first + i) % ctx.opts.rollouts));
    // The plain steps again (the rollback pass left a failing analysis in them), so each one promotes.
    const patch = passPatch(`app:soak-${round_}`, ctx.opts.steps);
    await pool(names, 16, async (n) => {
      await patchRollout(ctx.clients, ctx.namespace, n, patch);
    });
    round_++;
    const rss = sampler.samples.at(-1)?.rssBytes ?? 0;
    ctx.say(`soak: ${Math.round((Date.now() - started) / 60_000)} min, controller RSS ${mib(rss)} MiB`);
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(60_000, started + durationMs - Date.now()))));
  }
  const samples = sampler.between(warmUntil, Date.now());
  const third = Math.max(1, Math.floor(samples.length / 3));
  const warm = median(samples.slice(0, third));
  const end = median(samples.slice(-third));
  const floors = minuteFloors(samples);
  const part = Math.max(1, Math.floor(floors.length / 3));
  const [floorWarm, floorEnd] = [medianOf(floors.slice(0, part)), medianOf(floors.slice(-part))];
  return {
    minutes: round(durationMs / 60_000),
    floorWarmRssMiB: mib(floorWarm),
    floorEndRssMiB: mib(floorEnd),
    floorGrowthPercent: floorWarm > 0 ? round(((floorEnd - floorWarm) / floorWarm) * 100) : 0,
    warmRssMiB: mib(warm),
    endRssMiB: mib(end),
    maxRssMiB: mib(Math.max(0, ...samples.map((s) => s.rssBytes))),
    growthPercent: warm > 0 ? round(((end - warm) / warm) * 100) : 0,
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
