// Amazon CloudWatch (GetMetricData) with Argo Rollouts' field names. AWS cannot be reached from the test
// machine: each field is proven by a contract test against a local server that checks every request against
// the documented API, its SigV4 signature recomputed (test/support/vendors/cloudwatch-contract.ts).
import { z } from "zod";
import { cel, DURATION_RE, duration, httpAddress } from "./meta.ts";

const CW_UNIT = "test/unit/analysis/cloudwatch.test.ts";
const CW_E2E = "test/integration/analysis/cloudwatch.test.ts";

const MetricStat = z.object({
  metric: z.object({
    namespace: z.string().min(1).max(255).optional().describe("e.g. AWS/ApplicationELB."),
    metricName: z.string().min(1).max(255).optional(),
    dimensions: z
      .array(z.object({ name: z.string().min(1).max(255), value: z.string().min(1).max(1024) }))
      .max(30)
      .optional()
      .describe("{{args.NAME}} is replaced in each value."),
  }),
  period: duration("metricStat.period").describe(
    "Seconds per data point (60), or a duration (1m): CloudWatch's Period.",
  ),
  stat: z.string().min(1).max(64).describe("Average, Sum, p99, …: CloudWatch's Stat."),
  unit: z.string().min(1).max(64).optional(),
});

const MetricDataQuery = cel(
  z.object({
    id: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[a-z][a-zA-Z0-9_]*$/)
      .describe("Names the query in expressions and in the result (result[0].Id)."),
    expression: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe("Metric math or a Metrics Insights query; {{args.NAME}} is replaced."),
    label: z.string().max(1024).optional(),
    metricStat: MetricStat.optional(),
    period: duration("metricDataQueries[].period").optional(),
    returnData: z.boolean().optional().describe("false: used by expressions only, not in the result."),
  }),
  {
    rule: "has(self.expression) != has(self.metricStat)",
    message: "cloudWatch.metricDataQueries[]: set exactly one of expression or metricStat",
  },
);

export const CloudWatchProvider = z
  .object({
    interval: z
      .string()
      .max(32)
      .regex(new RegExp(DURATION_RE))
      .optional()
      .describe(`The window asked for, ending now (default 5m). Contract test: ${CW_UNIT}.`),
    metricDataQueries: z
      .array(MetricDataQuery)
      .min(1)
      .max(20)
      .describe(
        "GetMetricData's MetricDataQueries, in Argo Rollouts' lowerCamel names. The result is the list of " +
          "MetricDataResults ({Id, Label, StatusCode, Timestamps, Values}); when no query returned a value it " +
          `is no data. Contract tests: ${CW_UNIT}, ${CW_E2E}.`,
      ),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]+$/)
      .max(32)
      .optional()
      .describe(`The AWS region (default: the controller's AWS_REGION). Test: ${CW_UNIT}.`),
    address: httpAddress()
      .optional()
      .describe(
        "The CloudWatch endpoint instead of the region's (a VPC endpoint, the contract test's server); the " +
          `endpoint, either way, is under the analysis address policy. Contract tests: ${CW_UNIT}, ${CW_E2E}.`,
      ),
  })
  .describe(
    "Asks Amazon CloudWatch GetMetricData with the controller's AWS credentials, found by the SDK's " +
      "standard chain (environment, web identity/IRSA, EKS Pod Identity, instance role).",
  );
export type CloudWatchProvider = z.infer<typeof CloudWatchProvider>;
