// The web provider: an HTTP call with axios; a non-2xx answer is an Error measurement naming the status.
// Every hop (redirects too) goes to an address the web-analysis policy allowed, resolved once.
import { lookup } from "node:dns/promises";
import { Agent } from "node:https";
import { isIP } from "node:net";
import axios, { type AxiosResponse } from "axios";
import type { Metric } from "../../api/index.ts";
import { RampError } from "../../errors.ts";
import { WEB_ANALYSIS_HEADER } from "../../observability/http.ts";
import { substitute } from "./args.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";
import { refusedBy, type WebPolicy, type WebRule, webPolicy } from "./web-policy.ts";

const insecureAgent = new Agent({ rejectUnauthorized: false });

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

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Target = { address: string; family: 4 | 6 };
/** Every address of a host name (injectable for tests). */
export type Resolve = (host: string) => Promise<Target[]>;
const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })) as Target[];
type WebProvider = NonNullable<Metric["provider"]["web"]>;

/** Resolves the URL's host once and checks every address it has; the request connects to the first. */
async function checkedTarget(url: URL, policy: WebPolicy, metric: string, resolve: Resolve): Promise<Target> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const where = `${url.origin}${url.pathname}`;
  const refuse = (rule: WebRule, address?: string) => {
    const at = address && address !== host ? ` (${address})` : "";
    const by = rule.source === "default" ? "the default web-analysis deny entry" : rule.source;
    const fix = rule.locked
      ? "the controller's own endpoints can never be analysed"
      : "the operator may allow it with --web-analysis-allow (Helm value analysis.web.allow)";
    return new RampError(
      "WebAnalysisDenied",
      `WebAnalysisDenied: metric ${metric}: ${where}${at} is refused by ${by} "${rule.entry}"; ${fix}`,
    );
  };
  const family = isIP(host);
  let targets: Target[];
  if (family === 4 || family === 6) targets = [{ address: host, family }];
  else {
    try {
      targets = await resolve(host);
    } catch (err) {
      const rule = refusedBy(policy, host, undefined, port);
      if (rule) throw refuse(rule);
      throw new Error(`${where}: ${host} does not resolve (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  for (const t of targets) {
    const rule = refusedBy(policy, host, t.address, port);
    if (rule) throw refuse(rule, t.address);
  }
  const first = targets[0];
  if (!first) throw new Error(`${where}: ${host} has no address`);
  return first;
}

/** Headers the user set, minus any spelling of the analysis header, which the controller always sets. */
const withMarker = (headers: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== WEB_ANALYSIS_HEADER)),
  [WEB_ANALYSIS_HEADER]: "1",
});

/** The request, following up to MAX_REDIRECTS redirects, each to a checked address. */
async function call(
  cfg: WebProvider,
  start: URL,
  headers: Record<string, string>,
  policy: WebPolicy,
  metric: string,
  resolve: Resolve,
): Promise<{ res: AxiosResponse; url: URL }> {
  let url = start;
  let method = cfg.method ?? "GET";
  let body = cfg.body;
  let sent = headers;
  const deadline = Date.now() + (cfg.timeoutSeconds ?? 10) * 1000;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new Error(`provider.web.url: ${url.protocol} URLs are not supported; use http or https`);
    const target = await checkedTarget(url, policy, metric, resolve);
    const res = await axios.request({
      adapter: "http",
      url: url.toString(),
      method,
      headers: withMarker(sent),
      ...(body === undefined ? {} : { data: body }),
      // Connect to the address that was checked, never to a second DNS answer.
      lookup: async () => [{ address: target.address, family: target.family }],
      proxy: false,
      timeout: Math.max(1, deadline - Date.now()),
      maxContentLength: 1024 * 1024,
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: "text",
      transformResponse: (x: unknown) => x,
      ...(cfg.insecure ? { httpsAgent: insecureAgent } : {}),
    });
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || typeof location !== "string") return { res, url };
    if (hop === MAX_REDIRECTS)
      throw new Error(`${url.origin}${url.pathname}: more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, url);
    // Headers may hold Secret values: they go only to the origin the metric names.
    if (next.origin !== url.origin) sent = {};
    if (res.status === 303 || (res.status <= 302 && method !== "GET")) {
      method = "GET";
      body = undefined;
    }
    url = next;
  }
}

export const webProvider = (policy: WebPolicy = webPolicy({}), resolve = resolveAll): MetricProvider => ({
  async measure(ctx: MeasureContext): Promise<Outcome> {
    const cfg = ctx.metric.provider.web;
    if (!cfg) throw new Error("not a web metric");
    // An arg that is the whole URL goes in as is; an arg inside a URL is encoded so it stays one part.
    const whole = /^\s*\{\{\s*args\.[A-Za-z0-9_.-]+\s*\}\}\s*$/.test(cfg.url);
    const start = new URL(substitute(cfg.url, ctx.args, whole ? (v) => v : encodeURIComponent));
    const headers: Record<string, string> = {};
    for (const h of cfg.headers ?? []) {
      headers[h.key] =
        h.value ??
        (h.valueFrom ? await ctx.secret(h.valueFrom.secretKeyRef.name, h.valueFrom.secretKeyRef.key) : "");
    }
    const withArgs = {
      ...cfg,
      ...(cfg.body === undefined ? {} : { body: substitute(cfg.body, ctx.args, (v) => v) }),
    };
    const { res, url } = await call(withArgs, start, headers, policy, ctx.metric.name, resolve);
    if (res.status < 200 || res.status > 299)
      throw new Error(`${cfg.method ?? "GET"} ${url.origin}${url.pathname} answered ${res.status}`);
    let body: unknown;
    try {
      body = JSON.parse(String(res.data));
    } catch {
      throw new Error(`${url.origin}${url.pathname} did not answer JSON`);
    }
    return { kind: "value", value: cfg.jsonPath ? pick(body, cfg.jsonPath) : body };
  },
});
