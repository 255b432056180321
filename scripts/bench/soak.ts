// --soak: the controller keeps working (a new version to 1% of the Rollouts every minute) while its memory
// is sampled. After the warm-up (the first fifth, at least a minute), growth compares the median RSS of the
// last third with that of the first third, and the slope fits a line through every sample: the resident
// set saws up and down by a hundred MiB as V8 collects and trims, so two one-minute windows were noise.
import type { BenchContext } from "./pass.ts";
import { mib, round } from "./report.ts";
import type { ControllerSampler, Sample } from "./sampler.ts";
import { nameOf, passPatch, patchRollout, pool } from "./workload.ts";

const median = (xs: Sample[]) =>
  [...xs.map((s) => s.rssBytes)].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

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
  return {
    minutes: round(durationMs / 60_000),
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
