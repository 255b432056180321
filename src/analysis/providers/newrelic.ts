// The newRelic provider: NRQL through NerdGraph (POST /graphql, API-Key header), account and key from the
// run's Secret; one result row is an object, several a list, none (or only nulls) no data.
import { substitute, substituteUrl } from "./args.ts";
import { type Resolve, resolveAll } from "./guarded-http.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";
import { type VendorAnswer, vendorJson } from "./vendor-http.ts";
import { type WebPolicy, webPolicy } from "./web-policy.ts";

const ENDPOINT = { us: "https://api.newrelic.com/graphql", eu: "https://api.eu.newrelic.com/graphql" };
const TIMEOUT_MS = 30_000;
const NRQL_QUERY =
  "query($accountId: Int!, $nrql: Nrql!) { actor { account(id: $accountId) { nrql(query: $nrql) { results } } } }";

/** Escapes a value for the inside of an NRQL '…' string literal. */
export const nrqlEscape = (v: string) => v.replace(/[\\']/g, (c) => `\\${c}`);

type GraphQl = {
  data?: { actor?: { account?: { nrql?: { results?: unknown } | null } | null } | null } | null;
  errors?: { message?: unknown }[];
};

function answerError(ans: VendorAnswer, ref: string): Error | undefined {
  const body = ans.body as GraphQl;
  const said = Array.isArray(body.errors) ? body.errors.map((e) => String(e.message ?? "")).join("; ") : "";
  if (ans.status === 429) {
    const retry = ans.headers["retry-after"];
    return new Error(
      `newRelic rate limit (HTTP 429)${retry ? `: retry in ${retry}s` : ""}: measure less often (interval)`,
    );
  }
  if (ans.status === 401 || ans.status === 403)
    return new Error(
      `newRelic answered HTTP ${ans.status}${said ? ` (${said})` : ""}: check personal-api-key and account-id ` +
        `of Secret "${ref}" and the region`,
    );
  if (ans.status < 200 || ans.status > 299)
    return new Error(`newRelic answered HTTP ${ans.status}${said ? `: ${said}` : ""}`);
  // GraphQL reports errors (an NRQL syntax error, an account the key cannot read) with a 200.
  if (said) return new Error(`newRelic NerdGraph error: ${said}`);
  return undefined;
}

/** One row as an object, several as a list; no rows, or one whose every value is null, is no data. */
function resultValue(body: GraphQl): unknown {
  const results = body.data?.actor?.account?.nrql?.results;
  if (!Array.isArray(results) || results.length === 0) return null;
  if (results.length > 1) return results;
  const row = results[0] as Record<string, unknown> | null;
  if (!row || Object.values(row).every((v) => v === null)) return null;
  return row;
}

export const newRelicProvider = (
  policy: WebPolicy = webPolicy({}),
  resolve: Resolve = resolveAll,
): MetricProvider => ({
  async measure(ctx: MeasureContext): Promise<Outcome> {
    const cfg = ctx.metric.provider.newRelic;
    if (!cfg) throw new Error("not a newRelic metric");
    const path = `spec.metrics[${ctx.metricIndex}].provider.newRelic`;
    const ref = cfg.secretRef.name;
    const key = await ctx.secret(ref, "personal-api-key");
    const accountText = (await ctx.secret(ref, "account-id")).trim();
    const accountId = Number(accountText);
    if (!/^[0-9]{1,15}$/.test(accountText))
      throw new Error(`${path}.secretRef: Secret "${ref}" key account-id is not a New Relic account number`);
    try {
      const url = cfg.address ? substituteUrl(cfg.address, ctx.args) : ENDPOINT[cfg.region ?? "us"];
      const ans = await vendorJson({
        vendor: "newRelic",
        subject: `metric ${ctx.metric.name}: ${path}.${cfg.address ? "address" : "region"} ${url}`,
        method: "POST",
        url: new URL(url),
        headers: { "API-Key": key, "Content-Type": "application/json" },
        body: {
          query: NRQL_QUERY,
          variables: { accountId, nrql: substitute(cfg.query, ctx.args, nrqlEscape) },
        },
        timeoutMs: TIMEOUT_MS,
        policy,
        resolve,
      });
      const err = answerError(ans, ref);
      if (err) throw err;
      return { kind: "value", value: resultValue(ans.body as GraphQl) };
    } catch (err) {
      if (err instanceof Error && key.length >= 4) err.message = err.message.replaceAll(key, "***");
      throw err;
    }
  },
});
