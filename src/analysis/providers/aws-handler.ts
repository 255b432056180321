// A request handler for the AWS SDK that sends each signed request through the analysis address policy
// (guardedAdapter: resolved once, every address checked, pinned), with a timeout and a size limit. The SDK's
// own credential lookups (STS for IRSA, the pod identity agent) keep their handlers: they are not the author's.
import { Readable } from "node:stream";
import axios, { AxiosError } from "axios";
import { RampError } from "../../errors.ts";
import { guardedAdapter, type Resolve } from "./guarded-http.ts";
import type { WebPolicy } from "./web-policy.ts";

/** The parts of Smithy's HttpRequest the handler reads. */
type SdkRequest = {
  protocol: string;
  hostname: string;
  port?: number | undefined;
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
};

export type GuardOptions = {
  policy: WebPolicy;
  resolve: Resolve;
  subject: (url: URL, hop: number) => string;
  timeoutMs: number;
  maxBytes: number;
};

function urlOf(req: SdkRequest): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query ?? {}))
    for (const one of Array.isArray(v) ? v : [v]) if (one !== null) query.append(k, one);
  const q = query.toString();
  return `${req.protocol}//${req.hostname}${req.port ? `:${req.port}` : ""}${req.path}${q ? `?${q}` : ""}`;
}

/** The SDK's body (text or bytes) as axios sends it unchanged. */
function bodyBytes(body: unknown): string | Buffer {
  if (typeof body === "string") return body;
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error("cloudWatch: a streamed request body is not supported");
}

export function guardedAwsHandler(opts: GuardOptions) {
  const adapter = guardedAdapter({ policy: opts.policy, resolve: opts.resolve, subject: opts.subject });
  return {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request: SdkRequest) {
      const url = urlOf(request);
      const res = await axios
        .request({
          adapter,
          url,
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { data: bodyBytes(request.body) }),
          timeout: opts.timeoutMs,
          maxContentLength: opts.maxBytes,
          maxBodyLength: opts.maxBytes,
          validateStatus: () => true,
          responseType: "arraybuffer",
          transformResponse: (x: unknown) => x,
          // The SDK signed these bytes: axios must send them as they are.
          transformRequest: (x: unknown) => x,
        })
        .catch((err: unknown) => {
          if (err instanceof RampError) throw err;
          const u = new URL(url);
          const where = `${request.method} ${u.origin}${u.pathname}`;
          if (err instanceof AxiosError && (err.code === "ECONNABORTED" || err.code === "ETIMEDOUT"))
            throw new Error(`cloudWatch: ${where} did not answer within ${opts.timeoutMs} ms`);
          if (err instanceof AxiosError && /maxContentLength/.test(err.message))
            throw new Error(`cloudWatch: ${where} answered more than ${opts.maxBytes} bytes`);
          throw new Error(`cloudWatch: ${where}: ${err instanceof Error ? err.message : String(err)}`);
        });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers))
        if (typeof v === "string") headers[k.toLowerCase()] = v;
      const body = Readable.from([Buffer.from(res.data as ArrayBuffer)]);
      return { response: { statusCode: res.status, reason: res.statusText, headers, body } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
}
