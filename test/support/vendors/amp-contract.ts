// A local stand-in for Amazon Managed Service for Prometheus' query API for contract tests: GET
// /workspaces/<id>/api/v1/query checked against the documented API, its SigV4 signature (service aps)
// recomputed with the test's credentials; answers are Prometheus' JSON, AWS's 403 for a bad signature and
// its 429 ThrottlingException. A broken contract is recorded.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AWS_CREDS, checkSignature } from "./sigv4-check.ts";

export { AWS_CREDS };
export const AMP_REGION = "us-west-2";
export const WORKSPACE = "ws-5f2c7b1e-ramp";

export class AmpContract {
  readonly queries: string[] = [];
  readonly violations: string[] = [];
  /** The value every query answers (a one-sample vector), or "throttle". */
  value: number | "throttle" = 0.01;
  private readonly server: Server;
  /** The workspace's Prometheus address, as a metric's address names it. */
  readonly address: string;
  private constructor(server: Server, address: string) {
    this.server = server;
    this.address = address;
  }

  static async start(): Promise<AmpContract> {
    let self: AmpContract | undefined;
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => {
        raw += c.toString();
      });
      req.on("end", () => {
        void (self?.handle(req, raw) ?? Promise.resolve({ status: 500, body: {} })).then((a) => {
          res.writeHead(a.status, { "content-type": "application/json" });
          res.end(JSON.stringify(a.body));
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    self = new AmpContract(server, `http://127.0.0.1:${port}/workspaces/${WORKSPACE}`);
    return self;
  }

  async handle(
    req: import("node:http").IncomingMessage,
    raw: string,
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method !== "GET" || url.pathname !== `/workspaces/${WORKSPACE}/api/v1/query`) {
      this.violations.push(`no such endpoint: ${req.method} ${url.pathname}`);
      return { status: 404, body: { message: "Not Found" } };
    }
    const port = (this.server.address() as AddressInfo).port;
    const sig = await checkSignature(req, raw, port, "aps", AMP_REGION);
    if (sig === "SignatureDoesNotMatch" || sig === "InvalidClientTokenId")
      return {
        status: 403,
        body: { message: "The request signature we calculated does not match the signature you provided." },
      };
    if (sig) {
      this.violations.push(sig);
      return { status: 403, body: { message: sig } };
    }
    const query = url.searchParams.get("query");
    if (!query || !Number.isFinite(Number(url.searchParams.get("time")))) {
      this.violations.push("query and time are required");
      return { status: 400, body: { status: "error", errorType: "bad_data", error: "missing query" } };
    }
    this.queries.push(query);
    if (this.value === "throttle") return { status: 429, body: { message: "Rate exceeded" } };
    return {
      status: 200,
      body: {
        status: "success",
        data: {
          resultType: "vector",
          result: [{ metric: {}, value: [Date.now() / 1000, String(this.value)] }],
        },
      },
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
