// Graphite (its render API) with Argo Rollouts' field names. Proven against a real graphite-web started by the
// tests over whisper files they write (test/support/graphite.ts).
import { z } from "zod";
import { cel, httpAddress } from "./meta.ts";

const G_UNIT = "test/unit/analysis/graphite.test.ts";
const G_E2E = "test/integration/analysis/graphite.test.ts";

/** The render API's parameters a query may set; ramp sets format=json itself. */
export const GRAPHITE_PARAMS = ["target", "from", "until"] as const;
const PARAM = `(${GRAPHITE_PARAMS.join("|")})`;
// Whitespace before a parameter, without a backslash (ramp's offline CEL and the apiserver's RE2 agree on it).
const LEAD = "[^A-Za-z0-9&=(]*";
const ARG = "[{][{] *args[.][A-Za-z0-9_.-]+ *[}][}]";

export const GraphiteProvider = cel(
  z.object({
    address: httpAddress().describe(
      "Graphite's base URL (http://graphite:8080, or with a path prefix): ramp asks <address>/render. " +
        `Under the analysis address policy. Tests: ${G_UNIT}, ${G_E2E}.`,
    ),
    query: z
      .string()
      .min(1)
      .max(8192)
      .describe(
        "Argo Rollouts' form, render parameters: target=… (one or more), optionally &from=… (default -5min) " +
          "and &until=…; or a bare target. Whitespace runs become one space. {{args.NAME}} is replaced inside " +
          "each parameter after the query is split, URL-encoded, so an arg never adds a parameter. The result " +
          `is a list, the last non-null point of each series: result[0] is the first's. Tests: ${G_UNIT}, ${G_E2E}.`,
      ),
  }),
  {
    rule: `self.address.matches('^ *(https?://[^ ]+|${ARG}) *$')`,
    message:
      "provider.graphite.address: Graphite's base URL, http:// or https:// (or {{args.NAME}}); ramp appends /render",
  },
  {
    rule: `!self.address.matches('/render/? *$')`,
    message: "provider.graphite.address: leave /render out: ramp appends it to the base URL",
  },
  {
    rule: `!self.query.matches('^${LEAD}[A-Za-z]+=') || self.query.matches('^${LEAD}${PARAM}=[^&]*(&${LEAD}${PARAM}=[^&]*)*$')`,
    message:
      "provider.graphite.query: render parameters may be target, from and until only (ramp asks format=json " +
      "itself), as target=…&from=-10min",
  },
);
export type GraphiteProvider = z.infer<typeof GraphiteProvider>;
