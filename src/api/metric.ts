// One metric of an analysis: where the value comes from and how it is judged.
import { z } from "zod";
import { CloudWatchProvider } from "./cloudwatch.ts";
import { parseDuration } from "./duration.ts";
import { GraphiteProvider } from "./graphite.ts";
import { JudgeProvider } from "./judge.ts";
import { cel, DURATION_RE, unsupportedFields } from "./meta.ts";
import { JobProvider, PrometheusProvider, WebProvider } from "./providers.ts";
import { DatadogProvider, NewRelicProvider } from "./vendors.ts";

export * from "./cloudwatch.ts";
export * from "./graphite.ts";
export * from "./judge.ts";
export * from "./providers.ts";
export * from "./vendors.ts";

const UNSUPPORTED_PROVIDERS = unsupportedFields("metrics[].provider", {
  influxdb: "not yet: query InfluxDB's HTTP API with a web metric",
  kayenta: "use the built-in judge provider (provider.judge), or a web metric against Kayenta's API",
  wavefront: "query Wavefront's API with a web metric",
  skywalking: "query SkyWalking's GraphQL API with a web metric",
  plugin: "metric plugins are not run: use a web or job metric",
});

/** `{{args.NAME}}` as a pattern that reads the same in JS and in CEL (RE2): brackets instead of backslashes. */
export const ARG_TEMPLATE_RE = "[{][{] *args[.][A-Za-z0-9_.-]+ *[}][}]";
const INT32_MAX = 2147483647;
// Up to 9 digits: always an int32, so a string that passes never overflows where it is used.
const digits = (min: 0 | 1) => (min === 1 ? "^[1-9][0-9]{0,8}$" : "^[0-9]{1,9}$");
const intOrString = { "x-kubernetes-int-or-string": true };

/**
 * A count or limit as Argo Rollouts writes it: an integer, or a string that is one or holds
 * `{{args.NAME}}` (resolved when the run starts, src/analysis/resolve.ts).
 */
export const intOrArgs = (field: string, min: 0 | 1) =>
  cel(
    z
      .union([
        z.int32().min(min),
        z
          .string()
          .max(256)
          .regex(new RegExp(`${digits(min)}|${ARG_TEMPLATE_RE}`)),
      ])
      .meta(intOrString),
    {
      rule:
        `type(self) == int ? self >= ${min} && self <= ${INT32_MAX} : ` +
        `self.matches('${digits(min)}') || self.matches('${ARG_TEMPLATE_RE}')`,
      message: `${field} must be a whole number ${min === 1 ? ">= 1" : ">= 0"} (3), or a string holding {{args.NAME}} such as "{{args.${field.replace(/.*\./, "")}}}"`,
    },
  );

/** A duration (whole seconds or "30s", "5m", "1h30m"), or a string holding `{{args.NAME}}`. */
export const durationOrArgs = (field: string) =>
  cel(
    z
      .union([
        z.int32().min(0),
        z
          .string()
          .max(256)
          .regex(new RegExp(`${DURATION_RE}|${ARG_TEMPLATE_RE}`)),
      ])
      .meta(intOrString),
    {
      rule: `type(self) == int ? self >= 0 : self.matches('${DURATION_RE}') || self.matches('${ARG_TEMPLATE_RE}')`,
      message: `${field} must be whole seconds (30), a duration such as "30s", "5m", "1h30m", or a string holding {{args.NAME}}`,
    },
  );

/**
 * A metric's interval: at least 1s (whole seconds >= 1, or a duration such as "30s"), or `{{args.NAME}}`.
 * Zero or a few milliseconds would measure about every 50 ms for as long as the run lasts.
 */
export const intervalOrArgs = (field: string) =>
  cel(
    z
      .union([
        z.int32().min(1),
        z
          .string()
          .max(256)
          .regex(new RegExp(`${DURATION_RE}|${ARG_TEMPLATE_RE}`))
          .refine((s) => !new RegExp(DURATION_RE).test(s) || parseDuration(s, field) >= 1000, {
            message: `${field} must be at least 1s`,
          }),
      ])
      .meta(intOrString),
    {
      rule:
        "type(self) == int ? self >= 1 : " +
        `(self.matches('${DURATION_RE}') && duration(self) >= duration('1s')) || self.matches('${ARG_TEMPLATE_RE}')`,
      message: `${field} must be at least 1s: whole seconds (30), a duration such as "30s", "5m", or a string holding {{args.NAME}}; 0 would measure without a pause`,
    },
  );

const PROVIDERS = ["prometheus", "web", "job", "judge", "datadog", "newRelic", "cloudWatch", "graphite"];

const ARGS_NOTE = (what: string) =>
  `${what}. May be a string holding "{{args.NAME}}", resolved from the run's args when it starts; one that ` +
  "resolves to no valid value ends the run Error naming the metric and field " +
  "(test/integration/analysis/templated-fields.test.ts).";

export const Metric = cel(
  z.object({
    name: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?$/),
    provider: cel(
      z.object({
        ...UNSUPPORTED_PROVIDERS.shape,
        prometheus: PrometheusProvider.optional(),
        web: WebProvider.optional(),
        job: JobProvider.optional(),
        judge: JudgeProvider.optional(),
        datadog: DatadogProvider.optional(),
        newRelic: NewRelicProvider.optional(),
        cloudWatch: CloudWatchProvider.optional(),
        graphite: GraphiteProvider.optional(),
      }),
      ...UNSUPPORTED_PROVIDERS.rules,
      {
        rule: `[${PROVIDERS.map((p) => `has(self.${p})`).join(", ")}].filter(x, x).size() == 1`,
        message: `metrics[].provider: set exactly one of ${PROVIDERS.join(", ")}`,
      },
    ),
    interval: intervalOrArgs("metrics[].interval")
      .optional()
      .describe(
        ARGS_NOTE(
          "Time between measurements, at least 1s (0 is refused: it would measure without a pause; " +
            "test/integration/analysis/run-fields.test.ts)",
        ),
      ),
    initialDelay: durationOrArgs("metrics[].initialDelay")
      .optional()
      .describe(
        ARGS_NOTE(
          "Wait from the run's start before the first measurement " +
            "(test/integration/analysis/run-fields.test.ts)",
        ),
      ),
    count: intOrArgs("metrics[].count", 1)
      .optional()
      .describe(ARGS_NOTE("Measurements to take (default 1 without interval, unbounded with)")),
    successCondition: z
      .string()
      .max(4096)
      .optional()
      .describe(
        "A CEL expression over `result`; true marks the measurement Successful. With neither condition (as " +
          "Argo), every measurement with data is Successful: the metric records values; no data never passes.",
      ),
    failureCondition: z
      .string()
      .max(4096)
      .optional()
      .describe("A CEL expression over `result`; true marks the measurement Failed."),
    failureLimit: intOrArgs("metrics[].failureLimit", 0)
      .optional()
      .describe(ARGS_NOTE("Failed measurements tolerated before the metric fails (default 0)")),
    inconclusiveLimit: intOrArgs("metrics[].inconclusiveLimit", 0)
      .optional()
      .describe(
        ARGS_NOTE(
          "Inconclusive measurements tolerated (default 0): one more ends the metric Inconclusive " +
            "(test/integration/analysis/run-fields.test.ts)",
        ),
      ),
    consecutiveErrorLimit: intOrArgs("metrics[].consecutiveErrorLimit", 0)
      .optional()
      .describe(ARGS_NOTE("Consecutive errors tolerated (default 4)")),
    noData: z
      .enum(["fail", "inconclusive", "ignore"])
      .optional()
      .describe(
        "What an empty result or NaN counts as (default inconclusive). Never success: ramp does not promote " +
          "on missing data.",
      ),
  }),
  // A Job's exit status decides its measurement; these would be accepted and never evaluated.
  ...(["successCondition", "failureCondition", "noData"] as const).map((field) => ({
    rule: `!has(self.provider.job) || !has(self.${field})`,
    message:
      `metrics[].${field} is not evaluated for a job metric: the Job's own success or failure decides ` +
      `the measurement; remove ${field}, or measure with a prometheus or web metric`,
    fieldPath: `.${field}`,
  })),
  // The judge's score decides its measurement (noData still applies: too few samples is no data).
  ...(["successCondition", "failureCondition"] as const).map((field) => ({
    rule: `!has(self.provider.judge) || !has(self.${field})`,
    message:
      `metrics[].${field} is not evaluated for a judge metric: its score against judge.thresholds ` +
      `decides the measurement; remove ${field}, or set judge.thresholds`,
    fieldPath: `.${field}`,
  })),
);
export type Metric = z.infer<typeof Metric>;
