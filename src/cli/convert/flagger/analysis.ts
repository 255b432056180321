// The AnalysisTemplates of one Canary and the timing that reproduces Flagger's checks. Flagger runs every
// check once per `interval` and rolls back after `threshold` failed checks over the whole analysis; ramp
// measures each metric every `interval` (the first one `interval` after the run starts, as Flagger's
// first check comes one tick after the canary gets traffic), and fails the run after `threshold - 1`
// tolerated failures (failureLimit). Flagger counts a query error and an empty answer as a failed check
// too: consecutiveErrorLimit is the same bound, and noData is `fail`.

import type { OutputDoc } from "../types.ts";
import { asComment, commentAt, outputDoc, sourceComment } from "./comments.ts";
import type { Converted } from "./metrics.ts";
import type { Json, Path, Source } from "./source.ts";
import { formatDuration, goDurationMs } from "./util.ts";

export type Timing = { intervalMs: number; threshold: number };

/** Flagger's analysis interval (default 1m, never under 10s) and threshold (default 1). */
export function timingOf(canary: Source, base: Path): Timing {
  const text = canary.str([...base, "interval"]);
  canary.use([...base, "interval"], [...base, "threshold"]);
  let intervalMs = text === undefined ? 60_000 : goDurationMs(text);
  if (intervalMs === undefined) {
    canary.note(
      [...base, "interval"],
      `"${text}" is not a duration: Flagger runs such a Canary every 1m, and so does the Rollout`,
    );
    intervalMs = 60_000;
  } else if (intervalMs < 10_000) {
    canary.note(
      [...base, "interval"],
      `Flagger never runs an analysis more often than every 10s: ${text} is 10s`,
    );
    intervalMs = 10_000;
  }
  const t = Math.trunc(canary.num([...base, "threshold"]) ?? 0);
  return { intervalMs, threshold: t > 0 ? t : 1 };
}

/** How a metric is scheduled: beside the steps (count unbounded) or as a gate of `count` measurements. */
export function timed(metric: Json, t: Timing, count?: number): Json {
  const { name, ...rest } = metric;
  const isJob = typeof rest.provider === "object" && rest.provider !== null && "job" in rest.provider;
  const every = formatDuration(t.intervalMs);
  return {
    name,
    interval: every,
    ...(count === undefined ? {} : { count }),
    initialDelay: every,
    failureLimit: t.threshold - 1,
    consecutiveErrorLimit: t.threshold - 1,
    ...(isJob ? {} : { noData: "fail" }),
    ...rest,
  };
}

/** A call made once (a pre- or post-rollout webhook). */
export const once = (metric: Json): Json => {
  const { name, ...rest } = metric;
  return { name, count: 1, ...rest };
};

/** An AnalysisTemplate of converted metrics, each with a comment naming its source (and the source's own). */
export function analysisTemplate(
  canary: Source,
  name: string,
  metrics: { metric: Json; from: Path; comment: string }[],
  header: string,
): OutputDoc {
  const obj = {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name, ...(canary.namespace ? { namespace: canary.namespace } : {}) },
    spec: { metrics: metrics.map((m) => m.metric) },
  };
  const out = outputDoc(obj, header, canary.src);
  metrics.forEach((m, i) => {
    commentAt(out.doc, ["spec", "metrics", i], sourceComment(canary, m.from));
    commentAt(out.doc, ["spec", "metrics", i], asComment(m.comment));
  });
  return out;
}

export type { Converted };
