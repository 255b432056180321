// The graphite provider: GET <address>/render?target=…&from=…&format=json; the value is a list, the last
// non-null point of each series (NaN for one with none); an empty list or all-NaN is no data.
import { GRAPHITE_PARAMS } from "../../api/index.ts";
import { substitute, substituteUrl } from "./args.ts";
import { type Resolve, resolveAll } from "./guarded-http.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";
import { numberOr, vendorText } from "./vendor-http.ts";
import { type WebPolicy, webPolicy } from "./web-policy.ts";

// Argo Rollouts waits 5 s; a render of many series can take longer on a loaded Graphite.
const TIMEOUT_MS = 10_000;
// Graphite's own default is -24h: a series that stopped hours ago would still pass.
const DEFAULT_FROM = "-5min";
const MAX_MESSAGE = 500;
const plain = (v: string) => v;

/**
 * The query's render parameters, args replaced inside each one after the split (URLSearchParams encodes
 * them), so an arg holding & or = stays in its parameter. A query not starting `name=` is one bare target.
 */
export function renderParams(query: string, args: Record<string, string>, path: string): URLSearchParams {
  const text = query.replace(/\s+/g, " ").trim();
  const pairs: [string, string][] = /^[A-Za-z]+=/.test(text)
    ? [...new URLSearchParams(text)].map(([k, v]) => [k.trim(), v.trim()])
    : [["target", text]];
  const out = new URLSearchParams();
  for (const [key, value] of pairs) {
    if (!(GRAPHITE_PARAMS as readonly string[]).includes(key))
      throw new Error(
        `${path}.query: render parameter "${key}" is not accepted: set target, from and until only ` +
          "(ramp asks format=json itself)",
      );
    out.append(key, substitute(value, args, plain));
  }
  if (!out.has("target")) throw new Error(`${path}.query: no target= in the query`);
  if (!out.has("from")) out.set("from", DEFAULT_FROM);
  out.set("format", "json");
  return out;
}

/** The newest point with a value of one series' datapoints ([value, timestamp] pairs); NaN when none. */
function lastValue(datapoints: unknown): number {
  const points = Array.isArray(datapoints) ? datapoints : [];
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    const v = Array.isArray(p) ? numberOr(p[0]) : Number.NaN;
    if (!Number.isNaN(v)) return v;
  }
  return Number.NaN;
}

/** One number per series, in Graphite's order; throws when the answer is not render's JSON list. */
export function seriesValues(body: unknown): number[] {
  if (!Array.isArray(body)) throw new Error("graphite: the render answer is not a list of series");
  return body.map((s) => lastValue((s as { datapoints?: unknown } | null)?.datapoints));
}

/** Graphite's own words, one line, bounded: it answers errors as text (or Django's HTML page). */
function said(text: string): string {
  const plainText = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plainText.length > MAX_MESSAGE ? `${plainText.slice(0, MAX_MESSAGE)}…` : plainText;
}

export const graphiteProvider = (
  policy: WebPolicy = webPolicy({}),
  resolve: Resolve = resolveAll,
  timeoutMs: number = TIMEOUT_MS,
): MetricProvider => ({
  async measure(ctx: MeasureContext): Promise<Outcome> {
    const cfg = ctx.metric.provider.graphite;
    if (!cfg) throw new Error("not a graphite metric");
    const path = `spec.metrics[${ctx.metricIndex}].provider.graphite`;
    const base = substituteUrl(cfg.address, ctx.args).trim();
    const url = new URL(`${base.replace(/\/+$/, "")}/render`);
    url.search = renderParams(cfg.query, ctx.args, path).toString();
    const ans = await vendorText({
      vendor: "graphite",
      subject: `metric ${ctx.metric.name}: ${path}.address ${base}`,
      method: "GET",
      url,
      headers: {},
      timeoutMs,
      policy,
      resolve,
    });
    if (ans.status < 200 || ans.status > 299) {
      const words = said(ans.text);
      throw new Error(`graphite answered HTTP ${ans.status}${words ? `: ${words}` : ""}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(ans.text);
    } catch {
      throw new Error(`graphite: ${url.origin}${url.pathname} answered HTTP ${ans.status} that is not JSON`);
    }
    return { kind: "value", value: seriesValues(body) };
  },
});
