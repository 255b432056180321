// A local stand-in for New Relic's NerdGraph for contract tests: every request is checked against the
// documented API (POST /graphql, JSON, the API-Key header, a GraphQL query reading actor.account(id).nrql
// (query).results with accountId and nrql variables) and answered with the documented shapes: results,
// GraphQL errors with a 200, a 429. A request that breaks the contract is recorded and answered 400.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const NR_KEY = "NRAK-7Q2MZC4X9TPL";
export const NR_ACCOUNT = 3141592;

export type NrAnswer = { status: number; body: unknown; headers?: Record<string, string> };
export const nr = {
  rows: (rows: Record<string, unknown>[]): NrAnswer => ({
    status: 200,
    body: { data: { actor: { account: { nrql: { results: rows } } } } },
  }),
  nrqlError: (message: string): NrAnswer => ({
    status: 200,
    body: {
      data: { actor: { account: { nrql: null } } },
      errors: [{ message, path: ["actor", "account", "nrql"], extensions: { errorClass: "INVALID_INPUT" } }],
    },
  }),
  rateLimited: (): NrAnswer => ({
    status: 429,
    body: { errors: [{ message: "Too many requests" }] },
    headers: { "retry-after": "30" },
  }),
};

type Body = { query?: unknown; variables?: { accountId?: unknown; nrql?: unknown } };

function check(
  method: string | undefined,
  path: string,
  contentType: string | undefined,
  raw: string,
): Body | string {
  if (method !== "POST" || path !== "/graphql") return `no such endpoint: ${method} ${path}`;
  if (!contentType?.startsWith("application/json")) return "Content-Type is not JSON";
  let body: Body;
  try {
    body = JSON.parse(raw) as Body;
  } catch {
    return "body is not JSON";
  }
  const q = String(body.query ?? "").replace(/\s+/g, " ");
  if (!/\$accountId: Int!/.test(q) || !/\$nrql: Nrql!/.test(q))
    return "query must declare $accountId: Int! and $nrql: Nrql!";
  if (!/actor \{ account\(id: \$accountId\) \{ nrql\(query: \$nrql\) \{ results \} \} \}/.test(q))
    return "query must read actor.account(id).nrql(query).results";
  if (!Number.isInteger(body.variables?.accountId) || typeof body.variables?.nrql !== "string")
    return "variables accountId (an integer) and nrql (a string) are required";
  return body;
}

export class NewRelicContract {
  readonly nrql: string[] = [];
  readonly violations: string[] = [];
  #answers = new Map<string, NrAnswer>();
  private readonly server: Server;
  readonly url: string;
  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  static async start(): Promise<NewRelicContract> {
    let self: NewRelicContract | undefined;
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => {
        raw += c.toString();
      });
      req.on("end", () => {
        const a = self?.handle(req.method, req.url ?? "/", req.headers, raw) ?? { status: 500, body: {} };
        res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
        res.end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    self = new NewRelicContract(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
    return self;
  }

  /** The answer to an NRQL query (as sent, args replaced). */
  answer(nrql: string, a: NrAnswer): void {
    this.#answers.set(nrql, a);
  }

  handle(method: string | undefined, url: string, headers: Record<string, unknown>, raw: string): NrAnswer {
    const body = check(method, new URL(url, "http://x").pathname, headers["content-type"] as string, raw);
    if (typeof body === "string") {
      this.violations.push(body);
      return { status: 400, body: { errors: [{ message: `contract: ${body}` }] } };
    }
    if (headers["api-key"] !== NR_KEY)
      return { status: 401, body: { errors: [{ message: "Invalid API key" }] } };
    if (body.variables?.accountId !== NR_ACCOUNT)
      return {
        status: 200,
        body: { data: { actor: { account: null } }, errors: [{ message: "Account not found" }] },
      };
    const nrql = String(body.variables.nrql);
    this.nrql.push(nrql);
    return this.#answers.get(nrql) ?? nr.nrqlError(`NRQL Syntax Error: unknown query ${nrql}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
