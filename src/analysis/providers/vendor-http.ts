// One call to a metric vendor's API (Datadog, New Relic, Graphite) under the analysis address policy, with a
// timeout and a size limit; errors carry no request config, so the keys in its headers cannot reach a log.
import axios, { AxiosError } from "axios";
import { RampError } from "../../errors.ts";
import { guardedAdapter, type Resolve } from "./guarded-http.ts";
import type { WebPolicy } from "./web-policy.ts";

export const MAX_VENDOR_BYTES = 4 * 1024 * 1024;

export type VendorCall = {
  /** The vendor's name as messages start with it ("datadog"). */
  vendor: string;
  /** `metric m: spec.metrics[0].provider.datadog.address`: names what a refusal refuses. */
  subject: string;
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  policy: WebPolicy;
  resolve: Resolve;
};

export type VendorAnswer = { status: number; body: unknown; headers: Record<string, string> };

/** Why a request got no answer, in words; never the request itself (its headers hold the keys). */
function failure(call: VendorCall, err: unknown): Error {
  if (err instanceof RampError) return err;
  const where = `${call.method} ${call.url.origin}${call.url.pathname}`;
  if (err instanceof AxiosError) {
    if (err.code === "ECONNABORTED" || err.code === "ETIMEDOUT")
      return new Error(`${call.vendor}: ${where} did not answer within ${call.timeoutMs} ms`);
    if (err.code === "ERR_BAD_RESPONSE" && /maxContentLength/.test(err.message))
      return new Error(`${call.vendor}: ${where} answered more than ${MAX_VENDOR_BYTES} bytes`);
    return new Error(`${call.vendor}: ${where}: ${err.code ?? "error"} ${err.message}`.trim());
  }
  return new Error(`${call.vendor}: ${where}: ${err instanceof Error ? err.message : String(err)}`);
}

export type VendorText = { status: number; text: string; headers: Record<string, string> };

/** The answer as text, any status: for a vendor that says its errors in plain text (Graphite). */
export async function vendorText(call: VendorCall): Promise<VendorText> {
  const subject = call.subject;
  const res = await axios
    .request({
      adapter: guardedAdapter({
        policy: call.policy,
        resolve: call.resolve,
        subject: (u, hop) => (hop === 0 ? subject : `${subject}: its redirect to ${u.origin}${u.pathname}`),
      }),
      url: call.url.toString(),
      method: call.method,
      headers: { Accept: "application/json", ...call.headers },
      ...(call.body === undefined ? {} : { data: JSON.stringify(call.body) }),
      timeout: call.timeoutMs,
      maxContentLength: MAX_VENDOR_BYTES,
      maxBodyLength: MAX_VENDOR_BYTES,
      validateStatus: () => true,
      responseType: "text",
      transformResponse: (x: unknown) => x,
    })
    .catch((err: unknown) => {
      throw failure(call, err);
    });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers[k.toLowerCase()] = v;
  return { status: res.status, text: String(res.data), headers };
}

/** The answer as JSON (any status: the provider reads the vendor's own error shape); throws when not JSON. */
export async function vendorJson(call: VendorCall): Promise<VendorAnswer> {
  const { status, text, headers } = await vendorText(call);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(
      `${call.vendor}: ${call.method} ${call.url.origin}${call.url.pathname} answered HTTP ${status} ` +
        "that is not JSON",
    );
  }
  return { status, body, headers };
}

/** A number from a JSON value; null, a missing value and non-numbers are NaN (no data, never a pass). */
export const numberOr = (v: unknown): number =>
  typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
