// Which of Flagger's strategies a Canary runs, decided as Flagger decides it (scheduler.go): provider
// `kubernetes` is always blue/green; `iterations` with `match` is A/B testing; `iterations` alone is
// blue/green (a mirrored one on a mesh); otherwise progressive traffic shifting by weights.
import type { Json, Path, Source } from "./source.ts";
import { type HeaderRoute, headerRoutes, promotionWeights, type Schedule, weightsOf } from "./steps.ts";
import { type Names, type Router, serviceNames, trafficRouting } from "./traffic.ts";

export type Plan =
  | { kind: "bluegreen"; iterations: number; names: Names }
  | {
      kind: "canary";
      schedule: Schedule;
      names: Names;
      routing: Json | undefined;
      cookie: string | undefined;
    };

const WEIGHT_FIELDS = ["stepWeight", "stepWeights", "maxWeight", "stepWeightPromotion"];
const DEFAULT_BG_ITERATIONS = 10;

export function planOf(canary: Source, base: Path, router: Router, apex: string): Plan {
  const iterations = Math.trunc(canary.num([...base, "iterations"]) ?? 0);
  const matches = canary.list([...base, "match"]);
  canary.use([...base, "iterations"]);
  const ignore = (fields: string[], reason: string) => {
    for (const f of fields) {
      const v = canary.get([...base, f]);
      // A switch left off or a zero says nothing: only a value Flagger would ignore is reported.
      if (v === false || v === 0) canary.use([...base, f]);
      else canary.drop([...base, f], reason);
    }
  };
  if (router === "kubernetes") {
    ignore(["match"], "provider kubernetes has no router for A/B matches (Flagger ignores them there too)");
    ignore(
      ["mirror", "mirrorWeight"],
      "provider kubernetes has no router to mirror with (Flagger ignores it too)",
    );
    ignore(WEIGHT_FIELDS, "provider kubernetes runs blue/green only (Flagger ignores weights there too)");
    if (iterations < 1)
      canary.note(
        base,
        `provider kubernetes without iterations: Flagger runs ${DEFAULT_BG_ITERATIONS} iterations, and so does the Rollout's analysis`,
      );
    return blueGreen(canary, iterations < 1 ? DEFAULT_BG_ITERATIONS : iterations, apex);
  }
  const names = serviceNames(apex, router);
  const routing = trafficRouting(canary, router, names);
  const mirrors = routing !== undefined && router !== "nginx";
  if (iterations > 0) {
    ignore(
      WEIGHT_FIELDS,
      "iterations makes this an A/B or blue/green analysis: Flagger ignores weights then too",
    );
    if (matches.length > 0 && routing) {
      const { routes, cookie } = headerRoutes(canary, base, router);
      ignore(["mirror", "mirrorWeight"], "Flagger does not mirror during A/B testing");
      return {
        kind: "canary",
        schedule: { kind: "ab", iterations, headers: routes, promotion: [] },
        names,
        routing,
        cookie,
      };
    }
    ignore(
      ["match"],
      `A/B testing needs a router ramp has (gatewayAPI, nginx, istio): converted as blue/green`,
    );
    const mirror = mirrorOf(canary, base, mirrors);
    if (mirror !== undefined)
      return {
        kind: "canary",
        schedule: { kind: "mirror", iterations, mirror },
        names,
        routing,
        cookie: undefined,
      };
    return blueGreen(canary, iterations, apex);
  }
  ignore(["match"], "Flagger reads match only with iterations (A/B testing)");
  const weights = weightsOf(canary, base);
  const promotion = promotionWeights(canary, base, weights.at(-1) ?? 100);
  if (!canary.has(base))
    canary.note(
      ["spec"],
      "no analysis: Flagger promotes every release at once, without checks; so does the Rollout (no steps)",
    );
  else if (weights.length === 0)
    canary.note(
      base,
      "neither stepWeight(s) nor iterations: Flagger never advances such a Canary; ramp ships it at once (add setWeight steps)",
    );
  const schedule: Schedule = {
    kind: "progressive",
    weights,
    mirror: mirrorOf(canary, base, mirrors),
    promotion,
  };
  return { kind: "canary", schedule, names, routing, cookie: undefined };
}

function blueGreen(canary: Source, iterations: number, apex: string): Plan {
  // The Ingress (nginx) keeps routing to the apex Service, which ramp switches at promotion.
  canary.use(["spec", "ingressRef"]);
  return { kind: "bluegreen", iterations, names: { apex, stable: apex, canary: `${apex}-canary` } };
}

/** Mirror percentage when mirroring is on and the router can mirror; reported otherwise. */
function mirrorOf(canary: Source, base: Path, canMirror: boolean): number | undefined {
  const on = canary.bool([...base, "mirror"]) === true;
  const weight = canary.num([...base, "mirrorWeight"]);
  canary.use([...base, "mirror"], [...base, "mirrorWeight"]);
  if (!on) {
    canary.drop([...base, "mirrorWeight"], "mirrorWeight without mirror: Flagger ignores it");
    return undefined;
  }
  if (!canMirror) {
    canary.drop(
      [...base, "mirror"],
      "ramp mirrors with Gateway API and Istio routes only (ingress-nginx cannot): mirroring is not carried",
    );
    canary.drop([...base, "mirrorWeight"], "no mirroring: see mirror");
    return undefined;
  }
  return weight !== undefined && weight > 0 ? weight : 100;
}

export type { HeaderRoute };
