// Recomputes a request's AWS Signature V4 with the tests' known credentials (@smithy/signature-v4), for the
// contract servers of AWS APIs: a request ramp signed wrongly, or for another service or region, is named.
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";

export const AWS_CREDS = {
  accessKeyId: "AKIAIOSFODNN7RAMPTST",
  secretAccessKey: "ramp/contract/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === "string"
    ? d
    : ArrayBuffer.isView(d)
      ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
      : new Uint8Array(d);

/** node:crypto as the signer's hash (SHA-256, or HMAC-SHA-256 with a secret). */
class Sha256 {
  readonly #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#h = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
}

/** Recomputes the request's SigV4 signature with the test's credentials; undefined when it matches. */
export async function checkSignature(
  req: IncomingMessage,
  raw: string,
  port: number,
  wantService: string,
  wantRegion: string,
): Promise<string | undefined> {
  const auth = String(req.headers.authorization ?? "");
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return "Authorization is not AWS4-HMAC-SHA256";
  const [, keyId, , region, service, signed = "", signature] = m;
  if (keyId !== AWS_CREDS.accessKeyId) return "InvalidClientTokenId";
  if (service !== wantService || region !== wantRegion) return `signed for ${service} in ${region}`;
  const date = String(req.headers["x-amz-date"] ?? "");
  const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!when) return "X-Amz-Date missing";
  const url = new URL(req.url ?? "/", "http://x");
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const had = query[k];
    query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  const headers: Record<string, string> = {};
  for (const h of signed.split(";")) headers[h] = String(req.headers[h] ?? "");
  const signer = new SignatureV4({
    credentials: AWS_CREDS,
    region: wantRegion,
    service: wantService,
    sha256: Sha256,
  });
  const again = await signer.sign(
    {
      method: req.method ?? "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port,
      path: url.pathname,
      query,
      headers,
      body: raw,
    },
    { signingDate: new Date(`${when[1]}-${when[2]}-${when[3]}T${when[4]}:${when[5]}:${when[6]}Z`) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(
    String(again.headers.authorization ?? again.headers.Authorization),
  )?.[1];
  return expected === signature ? undefined : "SignatureDoesNotMatch";
}
