// Analysis HTTP under the address policy (web and prometheus providers): each hop's host is resolved once,
// every address checked, the connection pinned to the checked one; redirects are followed here, since
// axios's own would skip the check. See docs/adr/0010-web-analysis-allow-deny.md.
import { isIP } from "node:net";
import axios, {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from "axios";
import { RampError } from "../../errors.ts";
import { WEB_ANALYSIS_HEADER } from "../../observability/http.ts";
import type { Resolve, Target } from "./resolve.ts";
import { refusedBy, type WebPolicy, type WebRule } from "./web-policy.ts";

export { type Resolve, resolveAll, type Target } from "./resolve.ts";

export type Guard = {
  policy: WebPolicy;
  resolve: Resolve;
  /** Names what is refused, for the message (`metric m: <url>`); `hop` counts redirects, 0 first. */
  subject: (url: URL, hop: number) => string;
};

export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry nothing of the metric's own (which may be Secret values): kept across origins. */
const PLAIN = new Set(["accept", "content-type", "user-agent"]);
const httpAdapter = axios.getAdapter("http");

function refusal(guard: Guard, url: URL, hop: number, rule: WebRule, address?: string): RampError {
  const at = address && address !== url.hostname.replace(/^\[|\]$/g, "") ? ` (${address})` : "";
  const by = rule.source === "default" ? "the default web-analysis deny entry" : rule.source;
  const fix = rule.locked
    ? "the controller's own endpoints can never be analysed"
    : "the operator may allow it with --web-analysis-allow (Helm value analysis.web.allow)";
  return new RampError(
    "WebAnalysisDenied",
    `WebAnalysisDenied: ${guard.subject(url, hop)}${at} is refused by ${by} "${rule.entry}"; ${fix}`,
  );
}

/** Resolves the URL's host once and checks every address it has; the request connects to the first. */
export async function checkedTarget(url: URL, hop: number, guard: Guard): Promise<Target> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const where = `${url.origin}${url.pathname}`;
  const family = isIP(host);
  let targets: Target[];
  if (family === 4 || family === 6) targets = [{ address: host, family }];
  else {
    try {
      targets = await guard.resolve(host);
    } catch (err) {
      const rule = refusedBy(guard.policy, host, undefined, port);
      if (rule) throw refusal(guard, url, hop, rule);
      throw new Error(`${where}: ${host} does not resolve (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  for (const t of targets) {
    const rule = refusedBy(guard.policy, host, t.address, port);
    if (rule) throw refusal(guard, url, hop, rule, t.address);
  }
  const first = targets[0];
  if (!first) throw new Error(`${where}: ${host} has no address`);
  return first;
}

/** The config's headers plus the marker the controller's own HTTP server refuses, whatever the metric set. */
function marked(headers: AxiosHeaders, keep: (name: string) => boolean = () => true): AxiosHeaders {
  const out = new AxiosHeaders();
  for (const [k, v] of headers) if (keep(k.toLowerCase())) out.set(k, v);
  out.set(WEB_ANALYSIS_HEADER, "1");
  return out;
}

/** axios's own rule for a final answer: resolve, or reject with an AxiosError carrying the response. */
function settle(res: AxiosResponse, config: InternalAxiosRequestConfig): AxiosResponse {
  const valid = config.validateStatus;
  if (!res.status || !valid || valid(res.status)) return res;
  const code = res.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
  throw new AxiosError(`Request failed with status code ${res.status}`, code, res.config, res.request, res);
}

/**
 * An axios adapter that sends every hop through the policy: checked and pinned (`lookup`), no proxy (it
 * would resolve again), up to MAX_REDIRECTS redirects followed by hand, the metric's headers and auth not
 * sent to another origin. The answer's `config.url` is the URL that answered.
 */
export function guardedAdapter(guard: Guard): AxiosAdapter {
  return async (config) => {
    const deadline = config.timeout ? Date.now() + config.timeout : undefined;
    const { baseURL: _base, params: _params, ...rest } = config;
    let url = new URL(axios.getUri(config));
    let hop: InternalAxiosRequestConfig = { ...rest, headers: marked(config.headers) };
    for (let n = 0; ; n++) {
      if (url.protocol !== "http:" && url.protocol !== "https:")
        throw new Error(
          `${guard.subject(url, n)}: ${url.protocol} URLs are not supported; use http or https`,
        );
      const target = await checkedTarget(url, n, guard);
      const res = await httpAdapter({
        ...hop,
        // A copy: the adapter adds Content-Length and others to the headers it is given.
        headers: marked(hop.headers),
        url: url.toString(),
        // Connect to the address that was checked, never to a second DNS answer.
        lookup: async () => [{ address: target.address, family: target.family }],
        proxy: false,
        maxRedirects: 0,
        validateStatus: () => true,
        timeout: deadline === undefined ? 0 : Math.max(1, deadline - Date.now()),
      });
      const location = res.headers.location;
      if (!REDIRECTS.has(res.status) || typeof location !== "string") return settle(res, config);
      if (n === MAX_REDIRECTS)
        throw new Error(`${url.origin}${url.pathname}: more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        const { auth: _auth, ...anon } = hop;
        hop = { ...anon, headers: marked(hop.headers, (k) => PLAIN.has(k)) };
      }
      if (res.status === 303 || (res.status <= 302 && hop.method?.toUpperCase() !== "GET")) {
        const { data: _data, ...bodiless } = hop;
        hop = { ...bodiless, method: "get", headers: marked(hop.headers, (k) => k !== "content-type") };
      }
      url = next;
    }
  };
}
