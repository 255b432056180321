// Hosted metric vendors (Datadog, New Relic) with Argo Rollouts' field names. Their APIs cannot be reached
// from the test machine: each field is proven by a contract test against a local server that checks every
// request against the vendor's documented API (test/support/vendors/).
import { z } from "zod";
import { cel, DURATION_RE, httpAddress, objectName } from "./meta.ts";

const DD_UNIT = "test/unit/analysis/datadog.test.ts";
const DD_E2E = "test/integration/analysis/datadog.test.ts";

/** A window or timeout: a duration such as "5m" or "30s". */
const durationText = () => z.string().max(32).regex(new RegExp(DURATION_RE));

export const DATADOG_SITES = [
  "datadoghq.com",
  "us3.datadoghq.com",
  "us5.datadoghq.com",
  "datadoghq.eu",
  "ap1.datadoghq.com",
  "ap2.datadoghq.com",
  "ddog-gov.com",
] as const;

export const DATADOG_AGGREGATORS = [
  "avg",
  "min",
  "max",
  "sum",
  "last",
  "percentile",
  "mean",
  "l2norm",
  "area",
] as const;

export const DatadogProvider = cel(
  z.object({
    apiVersion: z
      .enum(["v1", "v2"])
      .optional()
      .describe(
        "v1 asks GET /api/v1/query (the last point of the first series); v2 (recommended) POSTs " +
          "/api/v2/query/scalar with queries and a formula. Default v1, as Argo Rollouts. " +
          `Contract tests: ${DD_UNIT}.`,
      ),
    interval: durationText()
      .optional()
      .describe(
        'The window asked for, ending now: "5m" asks from five minutes ago (default 5m). ' +
          `Contract test: ${DD_UNIT}.`,
      ),
    query: z
      .string()
      .min(1)
      .max(16384)
      .optional()
      .describe(
        "A Datadog metrics query; {{args.NAME}} is replaced by the arg. Set query or queries. " +
          `Contract tests: ${DD_UNIT}, ${DD_E2E}.`,
      ),
    queries: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().min(1).max(16384))
      .optional()
      .describe(
        "v2 only: named queries (name → query) a formula combines; {{args.NAME}} is replaced. " +
          `Contract tests: ${DD_UNIT}, ${DD_E2E}.`,
      ),
    formula: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe(
        "v2 only: combines the named queries (e.g. a / b); required with more than one query. " +
          `Contract tests: ${DD_UNIT}, ${DD_E2E}.`,
      ),
    aggregator: z
      .enum(DATADOG_AGGREGATORS)
      .optional()
      .describe(
        `v2 only: how each query's points become one value (default last). Contract test: ${DD_UNIT}.`,
      ),
    site: z
      .enum(DATADOG_SITES)
      .optional()
      .describe(
        "The Datadog site of the account: the API is https://api.<site> (default datadoghq.com). " +
          `Test: ${DD_UNIT}.`,
      ),
    address: httpAddress()
      .optional()
      .describe(
        "The API's base URL instead of the site's (a proxy, or the contract test's server); under the " +
          `analysis address policy. Contract tests: ${DD_UNIT}, ${DD_E2E}.`,
      ),
    secretRef: z
      .object({ name: objectName("A Secret in the run's namespace.") })
      .describe(
        "The Secret holding the keys, in the run's namespace: api-key (sent as DD-API-KEY) and app-key " +
          "(DD-APPLICATION-KEY), Argo Rollouts' key names. Their values never reach logs, status or Events. " +
          `Contract tests: ${DD_UNIT}, ${DD_E2E}.`,
      ),
    requestTimeout: durationText()
      .optional()
      .describe(`Timeout of each request to Datadog (default "10s"). Test: ${DD_UNIT}.`),
  }),
  {
    rule: "has(self.query) != has(self.queries)",
    message: "provider.datadog: set exactly one of query or queries",
  },
  {
    rule: "!(has(self.queries) || has(self.formula) || has(self.aggregator)) || (has(self.apiVersion) && self.apiVersion == 'v2')",
    message: "provider.datadog: queries, formula and aggregator need apiVersion: v2",
  },
  {
    rule: "!has(self.formula) || has(self.queries)",
    message: "provider.datadog: a formula combines named queries: set queries (name: query) with it",
  },
  {
    rule: "!has(self.queries) || size(self.queries) <= 1 || has(self.formula)",
    message: "provider.datadog: more than one query needs a formula that combines them (e.g. a / b)",
  },
  {
    rule: "!has(self.site) || !has(self.address)",
    message: "provider.datadog: set one of site or address",
  },
);
export type DatadogProvider = z.infer<typeof DatadogProvider>;

const NR_UNIT = "test/unit/analysis/newrelic.test.ts";
const NR_E2E = "test/integration/analysis/newrelic.test.ts";

export const NewRelicProvider = cel(
  z.object({
    query: z
      .string()
      .min(1)
      .max(16384)
      .describe(
        "An NRQL query asked through NerdGraph; {{args.NAME}} is replaced by the arg (escaped for NRQL " +
          `string literals). One result row is an object (result.count), several a list. Contract tests: ${NR_UNIT}, ${NR_E2E}.`,
      ),
    region: z
      .enum(["us", "eu"])
      .optional()
      .describe(
        "The account's region: us asks https://api.newrelic.com/graphql (default), eu " +
          `https://api.eu.newrelic.com/graphql. Test: ${NR_UNIT}.`,
      ),
    address: httpAddress()
      .optional()
      .describe(
        "The NerdGraph URL instead of the region's (a proxy, or the contract test's server); under the " +
          `analysis address policy. Contract tests: ${NR_UNIT}, ${NR_E2E}.`,
      ),
    secretRef: z
      .object({ name: objectName("A Secret in the run's namespace.") })
      .describe(
        "The Secret holding personal-api-key (sent as API-Key) and account-id, Argo Rollouts' key names, in " +
          "the run's namespace. The key never reaches logs, status or Events. " +
          `Contract tests: ${NR_UNIT}, ${NR_E2E}.`,
      ),
  }),
  {
    rule: "!has(self.region) || !has(self.address)",
    message: "provider.newRelic: set one of region or address",
  },
);
export type NewRelicProvider = z.infer<typeof NewRelicProvider>;
