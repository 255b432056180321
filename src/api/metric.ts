// One metric of an analysis: where the value comes from and how it is judged.
import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { cel, DURATION_RE, SecretKeyRef, unsupportedFields } from "./meta.ts";

const UNSUPPORTED_PROVIDERS = unsupportedFields("metrics[].provider", {
  datadog: "not yet: query Datadog's API with a web metric, or export to Prometheus",
  newRelic: "not yet: query NerdGraph with a web metric, or export to Prometheus",
  cloudWatch: "not yet: use a web metric against a small service, or export to Prometheus",
  graphite: "not yet: query Graphite's render API with a web metric",
  influxdb: "not yet: query InfluxDB's HTTP API with a web metric",
  kayenta: "use a web metric against Kayenta's API (a built-in statistical judge is coming)",
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

/** Argo's Prometheus timeout is whole seconds; ramp also takes a duration. Zero would mean no timeout at all. */
const queryTimeout = cel(
  z
    // The lookahead stays in zod: the CRD keeps only the CEL rule (RE2 has no lookahead).
    .union([
      z.int32().min(1),
      z
        .string()
        .max(32)
        .regex(new RegExp(`^(?!(0+(ms|s|m|h))+$)${DURATION_RE.slice(1)}`)),
    ])
    .meta(intOrString),
  {
    rule: `type(self) == int ? self >= 1 : self.matches('${DURATION_RE}') && !self.matches('^(0+(ms|s|m|h))+$')`,
    message:
      'provider.prometheus.timeout must be whole seconds >= 1 (30, as Argo Rollouts writes it) or a duration such as "30s", "500ms", "1m"',
  },
);

const Header = cel(
  z.object({
    key: z.string().min(1).max(256),
    value: z.string().max(8192).optional(),
    valueFrom: z.object({ secretKeyRef: SecretKeyRef }).optional(),
  }),
  {
    rule: "has(self.value) != has(self.valueFrom)",
    message: "headers[]: set exactly one of value or valueFrom",
  },
);

/** A CA bundle to trust for an https address instead of the public roots: from a Secret or a file. */
const caFields = (provider: string, insecureFlags: string[]) => ({
  caSecretRef: SecretKeyRef.optional().describe(
    "PEM CA certificates (a bundle) to verify an https address with, from a key of a Secret in the run's " +
      "namespace, read as the auth Secrets are; trusted instead of the public roots. " +
      "Test: test/integration/analysis/prometheus-ca.test.ts.",
  ),
  caFile: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe(
      "The same from a file the controller can read, e.g. one the chart mounts (extraVolumes, " +
        "extraVolumeMounts). Test: test/integration/analysis/prometheus-ca.test.ts.",
    ),
  _rules: [
    {
      rule: "!has(self.caSecretRef) || !has(self.caFile)",
      message: `provider.${provider}: set one of caSecretRef or caFile`,
    },
    {
      rule: `!(has(self.caSecretRef) || has(self.caFile)) || !(${insecureFlags.map((f) => `(has(self.${f}) && self.${f})`).join(" || ")})`,
      message: `provider.${provider}: a CA (caSecretRef or caFile) and ${insecureFlags.join("/")}: true contradict each other: verification is either on or off`,
    },
  ],
});
const promCa = caFields("prometheus", ["insecure", "insecureSkipVerify"]);
const webCa = caFields("web", ["insecure"]);

export const PrometheusProvider = z
  .object({
    address: z
      .string()
      .min(1)
      .max(2048)
      .describe(
        "Base URL of the Prometheus server, e.g. http://prometheus:9090; {{args.NAME}} is replaced by the arg.",
      ),
    query: z
      .string()
      .min(1)
      .max(16384)
      .describe(
        "An instant PromQL query; {{args.NAME}} is replaced by the arg, escaped for string literals.",
      ),
    timeout: queryTimeout
      .optional()
      .describe(
        'Query timeout: whole seconds (30, as Argo Rollouts writes it) or a duration ("30s", "500ms"); default "30s". ' +
          "Test: test/unit/analysis/prometheus-fields.test.ts.",
      ),
    headers: z
      .array(Header)
      .max(16)
      .optional()
      .describe(
        "Request headers: a value ({{args.NAME}} replaced) or a Secret key. " +
          "Test: test/integration/analysis/prometheus-auth.test.ts.",
      ),
    authentication: z
      .object({
        bearerToken: z
          .object({ secretKeyRef: SecretKeyRef })
          .optional()
          .describe("Sent as Authorization: Bearer <the Secret key's value>."),
        basic: z
          .object({ username: z.string().max(256), passwordSecretKeyRef: SecretKeyRef })
          .optional()
          .describe("HTTP basic auth, the password from a Secret key."),
      })
      .optional()
      .describe(
        "A server that refuses the credentials makes the measurement an Error naming the 401. " +
          "Test: test/integration/analysis/prometheus-auth.test.ts.",
      ),
    insecure: z
      .boolean()
      .optional()
      .describe(
        "Skip verifying the TLS certificate of an https address (Argo Rollouts' name; same as insecureSkipVerify). " +
          "Test: test/integration/analysis/templated-fields.test.ts.",
      ),
    insecureSkipVerify: z
      .boolean()
      .optional()
      .describe("Skip verifying the TLS certificate of an https address (same as insecure)."),
    caSecretRef: promCa.caSecretRef,
    caFile: promCa.caFile,
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "!has(self.insecure) || !has(self.insecureSkipVerify) || self.insecure == self.insecureSkipVerify",
        message:
          "provider.prometheus: insecure and insecureSkipVerify disagree: set one of them (insecure is Argo Rollouts' name for insecureSkipVerify)",
      },
      ...promCa._rules,
    ],
  })
  .describe("Asks Prometheus. A vector becomes a list of numbers, a scalar a number.");

export const WebProvider = z
  .object({
    url: z
      .string()
      .min(1)
      .max(2048)
      .describe("URL to call; {{args.NAME}} is replaced by the arg (URL-encoded)."),
    method: z.enum(["GET", "POST", "PUT"]).optional(),
    headers: z.array(Header).max(16).optional(),
    body: z.string().max(65536).optional(),
    timeoutSeconds: z.int32().min(1).max(600).optional().describe("Default 10."),
    jsonPath: z
      .string()
      .max(1024)
      .optional()
      .describe("Picks the value from the JSON answer, e.g. {$.data.ok}."),
    insecure: z.boolean().optional(),
    caSecretRef: webCa.caSecretRef,
    caFile: webCa.caFile,
  })
  .meta({ "x-kubernetes-validations": webCa._rules })
  .describe("Calls an HTTP endpoint; a non-2xx answer is an Error measurement.");

export const JobProvider = z
  .object({
    metadata: z
      .object({
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    spec: z
      .record(z.string(), z.unknown())
      .meta({ "x-kubernetes-preserve-unknown-fields": true })
      .describe(
        "A batch/v1 JobSpec. {{args.NAME}} is replaced in every string; an arg from a Secret only as a whole " +
          "env value, which becomes valueFrom.secretKeyRef (test/integration/analysis/run-fields.test.ts).",
      ),
  })
  .describe(
    "Runs a Kubernetes Job: Successful when the Job succeeds, Failed when it fails. The metric's " +
      "successCondition, failureCondition and noData are refused: the Job's exit status decides.",
  );

const PROVIDERS = ["prometheus", "web", "job"];

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
);
export type Metric = z.infer<typeof Metric>;
