// The datadog provider: v1 GET /api/v1/query (the last point of the first series) or v2 POST
// /api/v2/query/scalar (named queries and a formula, one value per group), keys from the run's Secret.
import type { DatadogProvider } from "../../api/index.ts";
import { parseDuration } from "../../api/index.ts";
import { substitute, substituteUrl } from "./args.ts";
import { type Resolve, resolveAll } from "./guarded-http.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";
import { numberOr, type VendorAnswer, vendorJson } from "./vendor-http.ts";
import { type WebPolicy, webPolicy } from "./web-policy.ts";

const plain = (v: string) => v;
type Column = { name?: unknown; type?: unknown; values?: unknown };

/** The last point with a value of the first series; NaN when there is none (no data). */
function v1Value(body: unknown): number {
  const series = (body as { series?: unknown }).series;
  const first = Array.isArray(series) ? (series[0] as { pointlist?: unknown } | undefined) : undefined;
  const points = Array.isArray(first?.pointlist) ? (first.pointlist as unknown[]) : [];
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    const v = Array.isArray(p) ? numberOr(p[1]) : Number.NaN;
    if (!Number.isNaN(v)) return v;
  }
  return Number.NaN;
}

/** The formula's column: one number, or one per group when the query groups (`by {tag}`). */
function v2Value(body: unknown): number | number[] {
  const attrs = (body as { data?: { attributes?: { columns?: unknown } } }).data?.attributes;
  const columns = Array.isArray(attrs?.columns) ? (attrs.columns as Column[]) : [];
  const numbers = columns.find((c) => c.type === "number");
  const values = Array.isArray(numbers?.values) ? numbers.values.map(numberOr) : [];
  if (columns.some((c) => c.type === "group")) return values;
  return values[0] ?? Number.NaN;
}

/** Datadog's own error text: `{"errors": ["…"]}` (both versions) or v1's `{"status": "error", "error": "…"}`. */
function ddError(body: unknown): string {
  const b = (body ?? {}) as { errors?: unknown; error?: unknown };
  if (Array.isArray(b.errors)) return b.errors.map(String).join("; ");
  if (typeof b.errors === "string") return b.errors;
  return typeof b.error === "string" ? b.error : "";
}

function answerError(ans: VendorAnswer, ref: string): Error | undefined {
  const said = ddError(ans.body);
  if (ans.status === 429) {
    const reset = ans.headers["x-ratelimit-reset"];
    const name = ans.headers["x-ratelimit-name"];
    return new Error(
      `datadog rate limit (HTTP 429${name ? `, ${name}` : ""})${reset ? `: retry in ${reset}s` : ""}: ` +
        "measure less often (interval) or ask Datadog to raise the limit",
    );
  }
  if (ans.status === 401 || ans.status === 403)
    return new Error(
      `datadog answered HTTP ${ans.status}${said ? ` (${said})` : ""}: check the api-key and app-key ` +
        `of Secret "${ref}" and the site`,
    );
  if (ans.status < 200 || ans.status > 299)
    return new Error(`datadog answered HTTP ${ans.status}${said ? `: ${said}` : ""}`);
  // v1 says errors with a 200 and status "error"; v2 with errors and no data.
  const b = ans.body as { status?: unknown; data?: unknown };
  if (b.status === "error" || (said && b.data === undefined && b.status === undefined))
    return new Error(`datadog error: ${said}`);
  return undefined;
}

/** v2's request: the query alone (named "query") or the named queries, combined by the formula. */
function scalarRequest(cfg: DatadogProvider, args: Record<string, string>, from: number, to: number) {
  const named = cfg.queries ?? { query: cfg.query ?? "" };
  const queries = Object.entries(named).map(([name, q]) => ({
    data_source: "metrics",
    name,
    query: substitute(q, args, plain),
    aggregator: cfg.aggregator ?? "last",
  }));
  const formula = cfg.formula ? substitute(cfg.formula, args, plain) : (queries[0]?.name ?? "query");
  return {
    data: { type: "scalar_request", attributes: { from, to, queries, formulas: [{ formula }] } },
  };
}

/** Removes the keys' values from a message, whatever put them there. */
const scrub = (message: string, keys: string[]) =>
  keys.reduce((m, k) => (k.length >= 4 ? m.replaceAll(k, "***") : m), message);

export const datadogProvider = (
  policy: WebPolicy = webPolicy({}),
  resolve: Resolve = resolveAll,
  now: () => number = Date.now,
): MetricProvider => ({
  async measure(ctx: MeasureContext): Promise<Outcome> {
    const cfg = ctx.metric.provider.datadog;
    if (!cfg) throw new Error("not a datadog metric");
    const path = `spec.metrics[${ctx.metricIndex}].provider.datadog`;
    const ref = cfg.secretRef.name;
    const apiKey = await ctx.secret(ref, "api-key");
    const appKey = await ctx.secret(ref, "app-key");
    try {
      const base = cfg.address
        ? substituteUrl(cfg.address, ctx.args)
        : `https://api.${cfg.site ?? "datadoghq.com"}`;
      const to = now();
      const from = to - parseDuration(cfg.interval ?? "5m", `${path}.interval`);
      const v2 = cfg.apiVersion === "v2";
      const url = new URL(`${base.replace(/\/+$/, "")}/api/${v2 ? "v2/query/scalar" : "v1/query"}`);
      if (!v2) {
        url.searchParams.set("from", String(Math.floor(from / 1000)));
        url.searchParams.set("to", String(Math.floor(to / 1000)));
        url.searchParams.set("query", substitute(cfg.query ?? "", ctx.args, plain));
      }
      const ans = await vendorJson({
        vendor: "datadog",
        subject: `metric ${ctx.metric.name}: ${path}.${cfg.address ? "address" : "site"} ${base}`,
        method: v2 ? "POST" : "GET",
        url,
        headers: {
          "DD-API-KEY": apiKey,
          "DD-APPLICATION-KEY": appKey,
          ...(v2 ? { "Content-Type": "application/json" } : {}),
        },
        ...(v2 ? { body: scalarRequest(cfg, ctx.args, from, to) } : {}),
        timeoutMs: parseDuration(cfg.requestTimeout ?? "10s", `${path}.requestTimeout`),
        policy,
        resolve,
      });
      const err = answerError(ans, ref);
      if (err) throw err;
      return { kind: "value", value: v2 ? v2Value(ans.body) : v1Value(ans.body) };
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      err.message = scrub(err.message, [apiKey, appKey]);
      throw err;
    }
  },
});
