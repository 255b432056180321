// A local stand-in for Amazon CloudWatch's GetMetricData (AWS JSON 1.0, as the SDK v3 client speaks it) for
// contract tests: every request is checked against the documented API (POST /, X-Amz-Target, Content-Type,
// the body's MetricDataQueries, StartTime and EndTime) and its SigV4 signature recomputed with the test's
// credentials (@smithy/signature-v4); answers are the documented shapes: results, pages (NextToken),
// InvalidParameterValue, ThrottlingException and SignatureDoesNotMatch. A broken contract is recorded.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AWS_CREDS, checkSignature } from "./sigv4-check.ts";

export { AWS_CREDS };
export const CW_REGION = "eu-west-1";
const TARGET = "GraniteServiceVersion20100801.GetMetricData";

export type CwQuery = {
  Id: string;
  Expression?: string;
  Label?: string;
  Period?: number;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
    Unit?: string;
  };
};
export type CwRequest = { queries: CwQuery[]; start: number; end: number; nextToken?: string };
export type CwAnswer = { status: number; body: unknown; headers?: Record<string, string> };

export const cw = {
  results: (rows: { id: string; values: number[] }[], nextToken?: string): CwAnswer => ({
    status: 200,
    body: {
      MetricDataResults: rows.map((r) => ({
        Id: r.id,
        Label: r.id,
        StatusCode: "Complete",
        Timestamps: r.values.map((_, i) => 1_800_000_000 - i * 60),
        Values: r.values,
      })),
      Messages: [],
      ...(nextToken ? { NextToken: nextToken } : {}),
    },
  }),
  error: (status: number, type: string, message: string): CwAnswer => ({
    status,
    body: { __type: `com.amazonaws.cloudwatch#${type}`, message },
    headers: { "x-amzn-query-error": `${type.replace(/Exception$/, "")};Sender` },
  }),
};

/** What is wrong with the body, or the request it asks. */
function checkBody(raw: string): CwRequest | string {
  let b: { MetricDataQueries?: CwQuery[]; StartTime?: unknown; EndTime?: unknown; NextToken?: unknown };
  try {
    b = JSON.parse(raw);
  } catch {
    return "body is not JSON";
  }
  if (typeof b.StartTime !== "number" || typeof b.EndTime !== "number" || b.StartTime >= b.EndTime)
    return "StartTime and EndTime must be epoch seconds, StartTime first";
  const qs = b.MetricDataQueries;
  if (!Array.isArray(qs) || qs.length === 0 || qs.length > 500) return "MetricDataQueries: 1 to 500 queries";
  for (const q of qs) {
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(String(q.Id))) return `Id ${q.Id} must start with a lowercase letter`;
    if ((q.Expression === undefined) === (q.MetricStat === undefined))
      return `query ${q.Id}: exactly one of Expression and MetricStat`;
    const s = q.MetricStat;
    if (s && (!s.Metric || !Number.isInteger(s.Period) || s.Period < 1 || typeof s.Stat !== "string"))
      return `query ${q.Id}: MetricStat needs Metric, Period (whole seconds) and Stat`;
  }
  return {
    queries: qs,
    start: b.StartTime,
    end: b.EndTime,
    ...(typeof b.NextToken === "string" ? { nextToken: b.NextToken } : {}),
  };
}

export class CloudWatchContract {
  readonly requests: CwRequest[] = [];
  readonly violations: string[] = [];
  /** Answers in turn; the last one repeats. */
  answers: CwAnswer[] = [];
  private readonly server: Server;
  readonly url: string;
  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  static async start(): Promise<CloudWatchContract> {
    let self: CloudWatchContract | undefined;
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => {
        raw += c.toString();
      });
      req.on("end", () => {
        void (self?.handle(req, raw) ?? Promise.resolve<CwAnswer>({ status: 500, body: {} })).then((a) => {
          res.writeHead(a.status, { "content-type": "application/x-amz-json-1.0", ...a.headers });
          res.end(JSON.stringify(a.body));
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    self = new CloudWatchContract(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  async handle(req: IncomingMessage, raw: string): Promise<CwAnswer> {
    const broken = (why: string) => {
      this.violations.push(why);
      return cw.error(400, "InvalidParameterValueException", `contract: ${why}`);
    };
    if (req.method !== "POST" || req.url !== "/") return broken(`no such endpoint: ${req.method} ${req.url}`);
    if (req.headers["x-amz-target"] !== TARGET)
      return broken(`X-Amz-Target is ${req.headers["x-amz-target"]}`);
    if (req.headers["content-type"] !== "application/x-amz-json-1.0")
      return broken("Content-Type is not application/x-amz-json-1.0");
    const port = (this.server.address() as AddressInfo).port;
    const sig = await checkSignature(req, raw, port, "monitoring", CW_REGION);
    if (sig === "SignatureDoesNotMatch" || sig === "InvalidClientTokenId")
      return cw.error(
        403,
        sig,
        sig === "InvalidClientTokenId"
          ? "The security token included in the request is invalid."
          : "The request signature we calculated does not match the signature you provided.",
      );
    if (sig) return broken(sig);
    const body = checkBody(raw);
    if (typeof body === "string") return broken(body);
    this.requests.push(body);
    return (this.answers.length > 1 ? this.answers.shift() : this.answers[0]) ?? cw.results([]);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
