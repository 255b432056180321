// The web provider: an HTTP call with axios; a non-2xx answer is an Error measurement naming the status.
// With `contract`, the call is ramp's provider contract (contract.ts) instead of a request the author writes.
// Every hop (redirects too) goes to an address the web-analysis policy allowed, resolved once.
import axios from "axios";
import { headerValues, substitute, substituteUrl } from "./args.ts";
import { measurementRequest, readResult } from "./contract.ts";
import { guardedAdapter, type Resolve, resolveAll } from "./guarded-http.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";
import { httpsAgent } from "./tls.ts";
import { type WebPolicy, webPolicy } from "./web-policy.ts";

/** Reads `$.a.b[0]['c']` (optionally wrapped in `{…}`, as Kubernetes JSONPath is) from a JSON value. */
export function pick(value: unknown, path: string): unknown {
  const p = path
    .trim()
    .replace(/^\{(.*)\}$/, "$1")
    .trim();
  if (!p.startsWith("$")) throw new Error(`jsonPath "${path}" must start with $ (e.g. {$.data.ok})`);
  const parts = [...p.slice(1).matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)];
  if (parts.map((m) => m[0]).join("") !== p.slice(1))
    throw new Error(`jsonPath "${path}" is not a plain path like $.data.items[0].ok`);
  let cur: unknown = value;
  for (const m of parts) {
    const key = m[1] ?? m[3] ?? m[4];
    if (m[2] !== undefined) cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
    else if (key !== undefined)
      cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

export const webProvider = (
  policy: WebPolicy = webPolicy({}),
  resolve: Resolve = resolveAll,
): MetricProvider => ({
  async measure(ctx: MeasureContext): Promise<Outcome> {
    const cfg = ctx.metric.provider.web;
    if (!cfg) throw new Error("not a web metric");
    const start = new URL(substituteUrl(cfg.url, ctx.args));
    const headers = await headerValues(cfg.headers, ctx);
    if (start.protocol !== "http:" && start.protocol !== "https:")
      throw new Error(`provider.web.url: ${start.protocol} URLs are not supported; use http or https`);
    const metric = ctx.metric.name;
    const agent = await httpsAgent(cfg, ctx, `spec.metrics[${ctx.metricIndex}].provider.web`);
    // Under the provider contract ramp writes the request itself (docs/provider-contract.md).
    const contract = cfg.contract !== undefined;
    if (contract) headers["Content-Type"] = "application/json";
    const body = contract
      ? JSON.stringify(measurementRequest(ctx))
      : cfg.body === undefined
        ? undefined
        : substitute(cfg.body, ctx.args, (v) => v);
    const method = contract ? "POST" : (cfg.method ?? "GET");
    const res = await axios.request({
      adapter: guardedAdapter({
        policy,
        resolve,
        subject: (u) => `metric ${metric}: ${u.origin}${u.pathname}`,
      }),
      url: start.toString(),
      method,
      headers,
      ...(body === undefined ? {} : { data: body }),
      timeout: (cfg.timeoutSeconds ?? 10) * 1000,
      maxContentLength: 1024 * 1024,
      validateStatus: () => true,
      responseType: "text",
      transformResponse: (x: unknown) => x,
      ...(agent ? { httpsAgent: agent } : {}),
    });
    const url = new URL(res.config.url ?? start);
    if (res.status < 200 || res.status > 299)
      throw new Error(`${method} ${url.origin}${url.pathname} answered ${res.status}`);
    let answer: unknown;
    try {
      answer = JSON.parse(String(res.data));
    } catch {
      throw new Error(`${url.origin}${url.pathname} did not answer JSON`);
    }
    if (contract) return readResult(answer, `${url.origin}${url.pathname}`);
    return { kind: "value", value: cfg.jsonPath ? pick(answer, cfg.jsonPath) : answer };
  },
});
