// A local stand-in for Datadog's metrics API for contract tests: every request is checked against the
// documented API (v1 GET /api/v1/query, v2 POST /api/v2/query/scalar: method, path, query string, the
// DD-API-KEY / DD-APPLICATION-KEY headers, the JSON body) and answered with the documented shapes, errors
// and 429s included. A request that breaks the contract is recorded and answered 400.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const DD_API_KEY = "dd-api-4f1c9a7e";
export const DD_APP_KEY = "dd-app-b82e6d03";
const AGGREGATORS = new Set(["avg", "min", "max", "sum", "last", "percentile", "mean", "l2norm", "area"]);

export type DdRequest = {
  version: "v1" | "v2";
  /** v1: the query; v2: the formula. */
  key: string;
  /** v2: name → query. */
  queries: Record<string, string>;
  aggregator?: string;
  from: number;
  to: number;
  headers: IncomingMessage["headers"];
};
export type DdAnswer = { status: number; body: unknown; headers?: Record<string, string> };

/** Documented answers. */
export const dd = {
  v1: (points: [number, number | null][]): DdAnswer => ({
    status: 200,
    body: {
      status: "ok",
      res_type: "time_series",
      from_date: 0,
      to_date: 0,
      series: points.length ? [{ metric: "m", pointlist: points, length: points.length }] : [],
    },
  }),
  v2: (values: (number | null)[], groups?: string[]): DdAnswer => ({
    status: 200,
    body: {
      data: {
        type: "scalar_response",
        attributes: {
          columns: [
            ...(groups ? [{ name: "resource_name", type: "group", values: groups.map((g) => [g]) }] : []),
            { name: "a", type: "number", values, meta: { unit: null } },
          ],
        },
      },
    },
  }),
  rateLimited: (): DdAnswer => ({
    status: 429,
    body: { errors: ["Too many requests"] },
    headers: {
      "x-ratelimit-limit": "100",
      "x-ratelimit-period": "60",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "17",
      "x-ratelimit-name": "query_scalar_public",
    },
  }),
  badRequest: (message: string): DdAnswer => ({ status: 400, body: { errors: [message] } }),
};

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/** What is wrong with a v2 body, or the parsed request. */
function v2Request(raw: string, headers: IncomingMessage["headers"]): DdRequest | string {
  if (!String(headers["content-type"]).startsWith("application/json")) return "Content-Type is not JSON";
  let body: { data?: { type?: unknown; attributes?: Record<string, unknown> } };
  try {
    body = JSON.parse(raw);
  } catch {
    return "body is not JSON";
  }
  const a = body.data?.attributes;
  if (body.data?.type !== "scalar_request" || !a) return "data.type must be scalar_request";
  if (!isInt(a.from) || !isInt(a.to) || a.from >= a.to || a.to < 1e12)
    return "from/to must be epoch ms, from < to";
  const queries: Record<string, string> = {};
  let aggregator: string | undefined;
  for (const q of Array.isArray(a.queries) ? (a.queries as Record<string, unknown>[]) : []) {
    if (q.data_source !== "metrics" || typeof q.name !== "string" || typeof q.query !== "string")
      return "each query needs data_source metrics, name and query";
    if (q.aggregator !== undefined && !AGGREGATORS.has(String(q.aggregator))) return "unknown aggregator";
    aggregator = q.aggregator as string | undefined;
    queries[q.name] = q.query;
  }
  const formulas = Array.isArray(a.formulas) ? (a.formulas as { formula?: unknown }[]) : [];
  if (!Object.keys(queries).length || formulas.length !== 1 || typeof formulas[0]?.formula !== "string")
    return "queries and one formula are required";
  return {
    version: "v2",
    key: formulas[0].formula,
    queries,
    ...(aggregator ? { aggregator } : {}),
    from: a.from,
    to: a.to,
    headers,
  };
}

function v1Request(url: URL, headers: IncomingMessage["headers"]): DdRequest | string {
  const keys = [...url.searchParams.keys()].sort().join(",");
  if (keys !== "from,query,to") return `query string must be from, to and query (got ${keys})`;
  const from = Number(url.searchParams.get("from"));
  const to = Number(url.searchParams.get("to"));
  if (!Number.isInteger(from) || !Number.isInteger(to) || from >= to || to > 1e11)
    return "from/to must be epoch seconds, from < to";
  return { version: "v1", key: url.searchParams.get("query") ?? "", queries: {}, from, to, headers };
}

export class DatadogContract {
  readonly requests: DdRequest[] = [];
  readonly violations: string[] = [];
  #answers = new Map<string, DdAnswer>();
  private readonly server: Server;
  readonly url: string;
  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  static async start(): Promise<DatadogContract> {
    let self: DatadogContract | undefined;
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => {
        raw += c.toString();
      });
      req.on("end", () => {
        const a = self?.handle(req, raw) ?? { status: 500, body: {} };
        res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
        res.end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    self = new DatadogContract(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** The answer to a v1 query or a v2 formula (as sent, args replaced). */
  answer(key: string, a: DdAnswer): void {
    this.#answers.set(key, a);
  }

  handle(req: IncomingMessage, raw: string): DdAnswer {
    const url = new URL(req.url ?? "/", "http://x");
    const route = `${req.method} ${url.pathname}`;
    const parsed =
      route === "GET /api/v1/query"
        ? v1Request(url, req.headers)
        : route === "POST /api/v2/query/scalar"
          ? v2Request(raw, req.headers)
          : `no such endpoint: ${route}`;
    if (typeof parsed === "string") {
      this.violations.push(parsed);
      return dd.badRequest(`contract: ${parsed}`);
    }
    if (req.headers["dd-api-key"] !== DD_API_KEY || req.headers["dd-application-key"] !== DD_APP_KEY)
      return { status: 403, body: { errors: ["Forbidden"] } };
    this.requests.push(parsed);
    return this.#answers.get(parsed.key) ?? dd.badRequest(`unknown query ${parsed.key}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
