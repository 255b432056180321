// Flagger's analysis schedule as ramp steps. Flagger advances on a ticker: every `interval` it runs the
// checks and, when they pass, moves the weight by `stepWeight` (or to the next of `stepWeights`) until
// `maxWeight`, then promotes. ramp writes that schedule down: `setWeight w` then `pause: {duration:
// interval}` per weight, the checks running beside the steps as a background analysis (canary.ts).
// A/B testing (`iterations` with `match`) is a header route held for `iterations × interval`; blue/green
// with `mirror` on a mesh is a mirror route held as long.
import { dotted, type Json, type Path, type Source } from "./source.ts";
import type { Router } from "./traffic.ts";
import { formatDuration } from "./util.ts";
import type { Hooks } from "./webhooks.ts";

export type Schedule =
  | { kind: "progressive"; weights: number[]; mirror: number | undefined; promotion: number[] }
  | { kind: "ab"; iterations: number; headers: HeaderRoute[]; promotion: number[] }
  | { kind: "mirror"; iterations: number; mirror: number };

/** One setHeaderRoute: the headers (all must match) and the Flagger match it came from. */
export type HeaderRoute = { name: string; match: Json[]; from: Path };

export type Steps = {
  steps: Json[];
  /** Index of the step at which the checks start (the first hold with traffic on the canary). */
  analysisFrom: number | undefined;
  managedRoutes: string[];
};

const MIRROR_ROUTE = "mirror";

/** The weights Flagger goes through: `stepWeight` up to `maxWeight` (capped at 100), or `stepWeights`. */
export function weightsOf(canary: Source, base: Path): number[] {
  const step = canary.num([...base, "stepWeight"]) ?? 0;
  const list = canary
    .list([...base, "stepWeights"])
    .filter((w): w is number => typeof w === "number")
    .map((w) => Math.min(100, w));
  // Flagger's maxWeight: the last of stepWeights when given, else maxWeight, else 100.
  const max =
    list.length > 0 ? (list.at(-1) ?? 100) : Math.min(100, canary.num([...base, "maxWeight"]) ?? 100);
  canary.use([...base, "stepWeight"], [...base, "stepWeights"], [...base, "maxWeight"]);
  if (step > 0) {
    if (list.length > 0)
      canary.note(
        [...base, "stepWeights"],
        "Flagger steps by stepWeight when both are set; stepWeights only sets the maximum",
      );
    const out: number[] = [];
    for (let w = step; ; w = Math.min(100, w + step)) {
      out.push(w);
      if (w >= max || w >= 100) break;
    }
    return out;
  }
  const out: number[] = [];
  for (const w of list) if (w > (out.at(-1) ?? 0)) out.push(w);
  return out;
}

/** Weights after maxWeight up to 100 by `stepWeightPromotion` (Flagger shifts them one interval apart). */
export function promotionWeights(canary: Source, base: Path, from: number): number[] {
  const step = canary.num([...base, "stepWeightPromotion"]) ?? 0;
  canary.use([...base, "stepWeightPromotion"]);
  if (step <= 0 || from >= 100) return [];
  const out: number[] = [];
  for (let w = from + step; w < 100; w += step) out.push(w);
  out.push(100);
  return out;
}

export type StepsInput = {
  canary: Source;
  schedule: Schedule;
  intervalMs: number;
  hooks: Hooks;
  /** The AnalysisTemplate of the pre-rollout webhooks, when there are any. */
  preRolloutTemplate: string | undefined;
};

export function canarySteps(input: StepsInput): Steps {
  const { schedule, hooks } = input;
  // A fresh object per step: a shared one would be written as a YAML alias.
  const hold = () => ({ pause: { duration: formatDuration(input.intervalMs) } });
  const steps: Json[] = [];
  const managed: string[] = [];
  if (hooks.confirmRollout) steps.push({ pause: {} });
  // Flagger's canary runs at the target's full size from the start; a header or mirror route needs pods.
  if (schedule.kind !== "progressive" || schedule.mirror !== undefined)
    steps.push({ setCanaryScale: { weight: 100 } });
  if (input.preRolloutTemplate)
    steps.push({ analysis: { templates: [{ templateName: input.preRolloutTemplate }] } });
  let analysisFrom: number | undefined;
  const mark = () => {
    analysisFrom ??= steps.length;
  };
  const long = {
    pause: { duration: formatDuration(input.intervalMs * Math.max(1, iterationsOf(schedule))) },
  };
  if (schedule.kind === "ab") {
    for (const h of schedule.headers) {
      managed.push(h.name);
      steps.push({ setHeaderRoute: { name: h.name, match: h.match } });
    }
    mark();
    steps.push(long);
  } else if (schedule.kind === "mirror") {
    managed.push(MIRROR_ROUTE);
    steps.push(mirrorStep(schedule.mirror));
    mark();
    steps.push(long);
  } else {
    if (schedule.mirror !== undefined) {
      managed.push(MIRROR_ROUTE);
      steps.push(mirrorStep(schedule.mirror));
      mark();
      steps.push(
        hold(),
        { setMirrorRoute: { name: MIRROR_ROUTE } },
        { setCanaryScale: { matchTrafficWeight: true } },
      );
    }
    for (const w of schedule.weights) {
      steps.push({ setWeight: w });
      mark();
      steps.push(hold());
    }
  }
  if (hooks.confirmPromotion) steps.push({ pause: {} });
  if (schedule.kind !== "mirror")
    schedule.promotion.forEach((w, i) => {
      steps.push({ setWeight: w });
      if (i < schedule.promotion.length - 1) steps.push(hold());
    });
  return { steps, analysisFrom, managedRoutes: managed };
}

const iterationsOf = (s: Schedule): number => (s.kind === "progressive" ? 1 : s.iterations);

const mirrorStep = (percentage: number): Json => ({
  setMirrorRoute: { name: MIRROR_ROUTE, percentage, match: [{ path: { prefix: "/" } }] },
});

/**
 * `analysis.match[]` as header routes: each match a route (Flagger ORs them), its headers ANDed. ramp's
 * header routes match headers only; ingress-nginx routes by one header (and a cookie, kept as the
 * canary-by-cookie annotation).
 */
export function headerRoutes(
  canary: Source,
  base: Path,
  router: Router,
): { routes: HeaderRoute[]; cookie: string | undefined } {
  const routes: HeaderRoute[] = [];
  let cookie: string | undefined;
  canary.list([...base, "match"]).forEach((_, j) => {
    const at = [...base, "match", j];
    for (const k of ["queryParams", "sourceLabels", "uri", "method", "authority", "scheme", "port"])
      canary.drop([...at, k], `ramp's header routes match request headers only; ${k} is not carried`);
    const match: Json[] = [];
    for (const header of Object.keys(canary.rec([...at, "headers"]) ?? {})) {
      const hp = [...at, "headers", header];
      const v = canary.rec(hp) ?? {};
      const kind = (["exact", "regex", "prefix"] as const).find((x) => typeof v[x] === "string");
      if (router === "nginx" && header.toLowerCase() === "cookie" && kind === "exact") {
        cookie = String(v.exact);
        canary.use(hp);
        continue;
      }
      if (!kind) {
        canary.drop(hp, "a header route matches exact, regex or prefix");
        continue;
      }
      if (router === "nginx" && (routes.length > 0 || match.length > 0)) {
        canary.drop(
          hp,
          "ingress-nginx routes the canary by one header (canary-by-header): the first is kept",
        );
        continue;
      }
      canary.use(hp);
      match.push({ headerName: header, headerValue: { [kind]: v[kind] } });
    }
    if (match.length > 0) routes.push({ name: `ab-test-${j}`, match, from: at });
  });
  if (routes.length === 1 && routes[0]) routes[0].name = "ab-test";
  if (routes.length === 0 && !cookie)
    canary.note(
      [...base, "match"],
      "no header of analysis.match can route the canary: it gets no requests until promotion",
    );
  return { routes, cookie };
}

/** For the comment beside a step list: where the schedule came from. */
export const scheduleComment = (canary: Source, base: Path): string =>
  `From ${dotted(base)} (${canary.where(base)}): every check Flagger ran once per interval runs beside these steps.`;
