// AWS Signature V4 for a Prometheus address (Amazon Managed Service for Prometheus, service "aps"): an axios
// adapter that signs the request exactly as it will be sent, then hands it to the guarded adapter. The AWS
// modules load with the first signed request, so a controller that never signs never holds them.
import { createHash, createHmac } from "node:crypto";
import axios, { type AxiosAdapter, AxiosHeaders } from "axios";

type Bytes = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Bytes): string | Uint8Array =>
  typeof d === "string"
    ? d
    : ArrayBuffer.isView(d)
      ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
      : new Uint8Array(d);

/** SHA-256 (or HMAC-SHA-256 with a secret) from node:crypto, the shape the signer asks for. */
class Sha256 {
  readonly #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: Bytes) {
    this.#h = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: Bytes): void {
    this.#h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
}

/** RFC 3986 encoding, SigV4's: what is signed is what is sent (no "+" for a space). */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The request's body as the signer hashes it and the adapter sends it. */
function bodyText(data: unknown): string {
  if (data === undefined || data === null) return "";
  if (typeof data === "string") return data;
  if (data instanceof URLSearchParams) return data.toString();
  throw new Error("sigv4: only text request bodies can be signed");
}

let credentials:
  | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>)
  | undefined;

/** The SDK's standard chain, created once: it caches and refreshes what it finds (IRSA tokens expire). */
async function chain() {
  if (!credentials) credentials = (await import("@aws-sdk/credential-provider-node")).defaultProvider();
  return credentials;
}

export function sigv4Adapter(inner: AxiosAdapter, region: string, service = "aps"): AxiosAdapter {
  return async (config) => {
    const url = new URL(axios.getUri(config));
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const had = query[k];
      query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
    const sent = [...url.searchParams].map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
    const body = bodyText(config.data);
    const { SignatureV4 } = await import("@smithy/signature-v4");
    const signer = new SignatureV4({ credentials: await chain(), region, service, sha256: Sha256 });
    const signed = await signer.sign({
      method: (config.method ?? "get").toUpperCase(),
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { host: url.host },
      body,
    });
    const headers = AxiosHeaders.from(config.headers);
    for (const [k, v] of Object.entries(signed.headers)) if (k !== "host") headers.set(k, v);
    const { baseURL: _b, params: _p, ...rest } = config;
    return inner({
      ...rest,
      headers,
      url: `${url.origin}${url.pathname}${sent ? `?${sent}` : ""}`,
      data: body,
    });
  };
}
