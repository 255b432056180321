// A PrometheusDriver for a metric's Prometheus (the prometheus provider's and the judge's): auth from Secrets,
// the CA, a size limit, and the analysis address policy on every request, since the address is the author's.
import { type AxiosAdapter, AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from "axios";
import { PrometheusDriver } from "prometheus-query";
import type { PrometheusConnection } from "../../api/index.ts";
import { parseDuration } from "../../api/index.ts";
import { RampError } from "../../errors.ts";
import { headerValues, substituteUrl } from "./args.ts";
import { guardedAdapter, type Resolve } from "./guarded-http.ts";
import type { MeasureContext } from "./provider.ts";
import { httpsAgent } from "./tls.ts";
import type { WebPolicy } from "./web-policy.ts";

const MAX_BYTES = 8 * 1024 * 1024;
/** Node's codes for a certificate that does not verify (OpenSSL's names, ERR_TLS_*, ERR_SSL_*). */
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|^ERR_TLS_|^ERR_SSL_/;

export type Sample = [number, string];
type Raw = { data?: { data?: { resultType?: string; result?: unknown } } };

/** Prometheus writes infinities as "+Inf"/"-Inf", which parseFloat reads as NaN: keep them infinite. */
function keepInfinities(response: AxiosResponse): AxiosResponse {
  const raw = response as Raw;
  const fix = (s: unknown) => {
    if (Array.isArray(s) && (s[1] === "+Inf" || s[1] === "-Inf"))
      (s as Sample)[1] = s[1] === "+Inf" ? "Infinity" : "-Infinity";
  };
  const result = raw.data?.data?.result;
  if (raw.data?.data?.resultType === "scalar") fix(result);
  if (Array.isArray(result))
    for (const r of result as { value?: unknown; values?: unknown }[]) {
      fix(r.value);
      // A range query's matrix: every sample of every series.
      if (Array.isArray(r.values)) for (const v of r.values) fix(v);
    }
  return response;
}

/** A non-2xx answer that is not Prometheus' own JSON error (a 401 from its basic auth or a proxy). */
class HttpStatusError extends Error {}

/** prometheus-query drops the status of such an answer ("unexpected client error"): name it first. */
function statusError(err: unknown): unknown {
  const res = err instanceof AxiosError ? err.response : undefined;
  const data: unknown = res?.data;
  if (!res || (data && typeof data === "object" && "status" in data)) return err;
  const auth =
    res.status === 401 || res.status === 403
      ? ": the address refused the metric's credentials; check authentication.basic, authentication.bearerToken and headers"
      : "";
  return new HttpStatusError(`prometheus answered HTTP ${res.status} ${res.statusText}`.trim() + auth);
}

/** prometheus-query rejects with plain objects; turn them into Errors that say what went wrong. */
export function asError(err: unknown): Error {
  // A refusal keeps its code and message; prometheus-query wraps whatever the adapter threw in `original`.
  const original = err && typeof err === "object" && "original" in err ? err.original : undefined;
  if (original instanceof RampError || original instanceof HttpStatusError) return original;
  if (err && typeof err === "object" && "errorType" in err) {
    const e = err as { errorType?: string; error?: string; code?: unknown };
    // Node reports a certificate it cannot verify as a plain network error; say that it is TLS.
    if (typeof e.code === "string" && TLS_CODE.test(e.code))
      return new Error(
        `prometheus tls_error: ${e.error ?? "unknown"} (${e.code}): the controller does not trust the ` +
          "address's certificate; add its CA (caSecretRef, caFile or NODE_EXTRA_CA_CERTS) or set insecure: true to skip verification",
      );
    return new Error(`prometheus ${e.errorType ?? "error"}: ${e.error ?? "unknown"}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** The adapter, signing with SigV4 first when the connection asks for it (Amazon Managed Prometheus). */
async function signed(
  inner: AxiosAdapter,
  sigv4: { region?: string | undefined } | undefined,
  field: string,
): Promise<AxiosAdapter> {
  if (!sigv4) return inner;
  const region = sigv4.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region)
    throw new Error(`${field}.region: no region: set it, or AWS_REGION in the controller's environment`);
  return (await import("./sigv4.ts")).sigv4Adapter(inner, region);
}

/**
 * A driver for `cfg`, its requests guarded by `policy`; `path` is the field it came from, for messages
 * (spec.metrics[0].provider.prometheus).
 */
export async function prometheusDriver(
  cfg: PrometheusConnection,
  ctx: MeasureContext,
  path: string,
  policy: WebPolicy,
  resolve: Resolve,
): Promise<PrometheusDriver> {
  const headers = await headerValues(cfg.headers, ctx);
  const bearer = cfg.authentication?.bearerToken?.secretKeyRef;
  if (bearer) headers.Authorization = `Bearer ${await ctx.secret(bearer.name, bearer.key)}`;
  const basic = cfg.authentication?.basic;
  const auth = basic
    ? {
        username: basic.username,
        password: await ctx.secret(basic.passwordSecretKeyRef.name, basic.passwordSecretKeyRef.key),
      }
    : undefined;
  const address = substituteUrl(cfg.address, ctx.args);
  // The address as written (and what its args made of it), minus any user:password@ in it.
  const bare = (a: string) => a.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
  const shown = bare(cfg.address) + (address === cfg.address ? "" : ` (${bare(address)})`);
  const field = `${path}.address ${shown}`;
  // `insecure` is Argo Rollouts' name for insecureSkipVerify; admission refuses the two when they disagree.
  const agent = await httpsAgent(
    { ...cfg, insecure: cfg.insecure === true || cfg.insecureSkipVerify === true },
    ctx,
    path,
  );
  const guarded = guardedAdapter({
    policy,
    resolve,
    subject: (u, hop) =>
      `metric ${ctx.metric.name}: ${field}${hop === 0 ? "" : `: its redirect to ${u.origin}${u.pathname}`}`,
  });
  const adapter = await signed(guarded, cfg.authentication?.sigv4, `${path}.authentication.sigv4`);
  return new PrometheusDriver({
    endpoint: address.replace(/\/+$/, ""),
    baseURL: "/api/v1",
    headers,
    ...(auth ? { auth } : {}),
    // A number is whole seconds, as Argo Rollouts writes it; a string is a duration such as "30s".
    timeout: parseDuration(cfg.timeout ?? "30s", `${path.replace(/^spec\.metrics\[\d+\]\./, "")}.timeout`),
    requestInterceptor: {
      onFulfilled: (c: InternalAxiosRequestConfig) => {
        c.maxContentLength = MAX_BYTES;
        c.adapter = adapter;
        if (agent) c.httpsAgent = agent;
        return c;
      },
      onRejected: (e: unknown) => Promise.reject(e),
    },
    responseInterceptor: {
      onFulfilled: keepInfinities,
      onRejected: (e: unknown) => Promise.reject(statusError(e)),
    },
  });
}
