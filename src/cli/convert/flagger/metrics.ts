// A Canary's `analysis.metrics[]` as ramp metrics: the built-in checks as Prometheus queries for the mesh or
// ingress in use, `templateRef`s with the MetricTemplate's query rendered for this Canary, and the
// deprecated inline `query`. Flagger fails a check when the value is below `thresholdRange.min` or above
// `.max`; ramp's successCondition is the range itself, in CEL over the query's first sample.
import { type Builtin, builtinQuery, type Flavor } from "./builtins.ts";
import { dotted, type Json, type Path, type Source, stringMap } from "./source.ts";
import { type QueryModel, renderQuery, templateProvider } from "./templates.ts";
import { celDouble, formatDuration, goDurationMs, metricName, uniqueName } from "./util.ts";

/** A ramp metric and the Canary field it came from (for a comment in the output). */
export type Converted = { metric: Json; from: Path; comment: string };

export type MetricsEnv = {
  canary: Source;
  /** `["spec", "analysis"]` (or the deprecated `canaryAnalysis`). */
  base: Path;
  flavor: Flavor;
  /** Prometheus for the built-ins and inline queries: `spec.metricsServer`, or Flagger's default. */
  address: string;
  model: Omit<QueryModel, "interval" | "variables">;
  templates: Source[];
  /** Metric names already used in the AnalysisTemplate. */
  taken: Set<string>;
};

const DEFAULT_WINDOW = "1m";

export function convertMetrics(env: MetricsEnv): Converted[] {
  const out: Converted[] = [];
  env.canary.list([...env.base, "metrics"]).forEach((_, i) => {
    const c = convertOne(env, [...env.base, "metrics", i]);
    if (c) out.push(c);
  });
  return out;
}

function convertOne(env: MetricsEnv, at: Path): Converted | undefined {
  const { canary } = env;
  const flaggerName = canary.str([...at, "name"]) ?? "";
  const window = metricWindow(canary, at);
  const variables = stringMap(canary.get([...at, "templateVariables"])) ?? {};
  const model: QueryModel = { ...env.model, interval: window, variables };
  const source = providerOf(env, at, flaggerName, model);
  if (!source) return undefined;
  const name = uniqueName(env.taken, metricName(flaggerName, `metric-${at.at(-1)}`));
  if (name !== flaggerName)
    canary.note(
      [...at, "name"],
      `metric "${flaggerName}" is named "${name}" in ramp (letters, digits, -_. only)`,
    );
  canary.use([...at, "name"], [...at, "interval"], [...at, "templateVariables"]);
  const condition = successCondition(canary, at, source.kind);
  return {
    metric: {
      name,
      ...(condition ? { successCondition: condition.cel } : {}),
      provider: { prometheus: source.prometheus },
    },
    from: at,
    comment: `${dotted(at)} (${canary.where(at)}): ${source.reads}${condition ? `; ${condition.says}` : ""}`,
  };
}

/** The PromQL window (`metrics[].interval`, default 1m) as a duration PromQL reads. */
function metricWindow(canary: Source, at: Path): string {
  const text = canary.str([...at, "interval"]);
  if (text === undefined) return DEFAULT_WINDOW;
  const ms = goDurationMs(text);
  if (ms === undefined || ms < 1000) {
    canary.note([...at, "interval"], `"${text}" is not a query window Prometheus reads: written as it is`);
    return text;
  }
  return formatDuration(ms);
}

type Kind = Builtin | "custom";
type Provided = { kind: Kind; prometheus: Json; reads: string };

function providerOf(env: MetricsEnv, at: Path, name: string, model: QueryModel): Provided | undefined {
  const { canary } = env;
  if (canary.has([...at, "templateRef"])) return fromTemplate(env, at, model);
  const inline = canary.str([...at, "query"]);
  if (inline !== undefined) {
    canary.use([...at, "query"]);
    const query = rendered(canary, [...at, "query"], inline, model);
    return { kind: "custom", prometheus: { address: env.address, query }, reads: "its inline query" };
  }
  if (name === "request-success-rate" || name === "request-duration") {
    const b = builtinQuery(name, env.flavor, model.interval, model.ingress);
    return { kind: name, prometheus: { address: env.address, query: b.query }, reads: b.reads };
  }
  canary.drop(
    at,
    `metric "${name}" is neither built in (request-success-rate, request-duration) nor has a templateRef or ` +
      "query: Flagger fails every check with it; give it a MetricTemplate",
  );
  return undefined;
}

function fromTemplate(env: MetricsEnv, at: Path, model: QueryModel): Provided | undefined {
  const { canary } = env;
  const ref = [...at, "templateRef"];
  const name = canary.str([...ref, "name"]) ?? "";
  const ns = canary.str([...ref, "namespace"]) ?? canary.namespace;
  const t = env.templates.find((x) => x.name === name && (x.namespace ?? canary.namespace) === ns);
  if (!t) {
    canary.drop(
      at,
      `MetricTemplate ${ns ? `${ns}/` : ""}${name} is not among the inputs: convert it together with this ` +
        "Canary (give both files, or read both from the cluster) to carry its query",
    );
    return undefined;
  }
  canary.use(ref);
  const provider = templateProvider(t, env.address, ns === canary.namespace);
  if ("unsupported" in provider) {
    canary.drop(at, `${t.title} (${t.where(["spec", "provider", "type"])}): ${provider.unsupported}`);
    return undefined;
  }
  const query = rendered(t, ["spec", "query"], t.str(["spec", "query"]) ?? "", model);
  return {
    kind: "custom",
    prometheus: { ...provider.prometheus, query },
    reads: `the query of ${t.title} (${t.where(["spec", "query"])})`,
  };
}

/** The query with the template rendered; a Go template action ramp cannot fill in is reported. */
function rendered(src: Source, at: Path, text: string, model: QueryModel): string {
  const r = renderQuery(text, model);
  for (const u of r.unknown)
    src.note(
      at,
      `the template action ${u} has no ramp equivalent and is left in the query: replace it by hand ` +
        "(ramp fills in only {{args.NAME}})",
    );
  return r.query;
}

/** Flagger's pass range as CEL; the deprecated `threshold` is a minimum for the success rate, else a maximum. */
function successCondition(canary: Source, at: Path, kind: Kind): { cel: string; says: string } | undefined {
  let min = canary.num([...at, "thresholdRange", "min"]);
  let max = canary.num([...at, "thresholdRange", "max"]);
  canary.use([...at, "thresholdRange"], [...at, "threshold"]);
  if (!canary.has([...at, "thresholdRange"])) {
    const t = canary.num([...at, "threshold"]) ?? 0;
    if (kind === "request-success-rate") min = t;
    else max = t;
  }
  const parts = [
    ...(min === undefined ? [] : [`result[0] >= ${celDouble(min)}`]),
    ...(max === undefined ? [] : [`result[0] <= ${celDouble(max)}`]),
  ];
  if (parts.length === 0) return undefined;
  const unit = kind === "request-duration" ? " ms" : kind === "request-success-rate" ? "%" : "";
  const range = [
    ...(min === undefined ? [] : [`at least ${min}${unit}`]),
    ...(max === undefined ? [] : [`at most ${max}${unit}`]),
  ].join(" and ");
  return { cel: parts.join(" && "), says: `passes when ${range}` };
}
