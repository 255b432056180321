// Where a metric's values come from: Prometheus, a web endpoint, a Job (the judge, which asks Prometheus for
// two samples, is in judge.ts).
import { z } from "zod";
import { cel, DURATION_RE, httpAddress, SecretKeyRef } from "./meta.ts";

const intOrString = { "x-kubernetes-int-or-string": true };

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

/** Where Prometheus is and how to reach it: shared by the prometheus provider and the judge. */
const prometheusConnection = {
  address: httpAddress().describe(
    "Base URL of the Prometheus server, e.g. http://prometheus:9090; {{args.NAME}} is replaced by the arg.",
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
      sigv4: z
        .object({
          region: z
            .string()
            .max(32)
            .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]+$/)
            .optional()
            .describe("The workspace's region (default: the controller's AWS_REGION)."),
        })
        .optional()
        .describe(
          "Signs every request with AWS Signature V4 for Amazon Managed Service for Prometheus (service aps), " +
            "with the controller's AWS credentials from the SDK's standard chain (environment, IRSA, EKS Pod " +
            "Identity, instance role). Contract test: test/unit/analysis/prometheus-sigv4.test.ts, " +
            "test/integration/analysis/prometheus-sigv4.test.ts.",
        ),
    })
    .meta({
      "x-kubernetes-validations": [
        {
          rule: "[has(self.bearerToken), has(self.basic), has(self.sigv4)].filter(x, x).size() <= 1",
          message:
            "authentication: set one of bearerToken, basic or sigv4: each sets the Authorization header",
        },
      ],
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
};

/** The rules between those fields, for an object that holds them. */
const prometheusConnectionRules = (provider: string) => [
  {
    rule: "!has(self.insecure) || !has(self.insecureSkipVerify) || self.insecure == self.insecureSkipVerify",
    message: `provider.${provider}: insecure and insecureSkipVerify disagree: set one of them (insecure is Argo Rollouts' name for insecureSkipVerify)`,
  },
  ...caFields(provider, ["insecure", "insecureSkipVerify"])._rules,
];

/** The judge's Prometheus: the prometheus provider's fields without a query (each judged metric has one). */
export const PrometheusConnection = z
  .object(prometheusConnection)
  .meta({ "x-kubernetes-validations": prometheusConnectionRules("judge.prometheus") })
  .describe("The Prometheus server the judge asks, as a prometheus metric's fields (no query).");
export type PrometheusConnection = z.infer<typeof PrometheusConnection>;

export const PrometheusProvider = z
  .object({
    ...prometheusConnection,
    query: z
      .string()
      .min(1)
      .max(16384)
      .describe(
        "An instant PromQL query; {{args.NAME}} is replaced by the arg, escaped for string literals.",
      ),
  })
  .meta({ "x-kubernetes-validations": prometheusConnectionRules("prometheus") })
  .describe("Asks Prometheus. A vector becomes a list of numbers, a scalar a number.");

export const WebProvider = z
  .object({
    url: httpAddress().describe("URL to call; {{args.NAME}} is replaced by the arg (URL-encoded)."),
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
    contract: z
      .enum(["metrics.ramp.dev/v1"])
      .optional()
      .describe(
        "Speak ramp's provider contract: POST a MeasurementRequest (the metric, the run, its args but those " +
          "from Secrets) and read the value from the MeasurementResult, so any backend can sit behind a small " +
          "service (docs/provider-contract.md). Test: test/integration/analysis/provider-contract.test.ts.",
      ),
  })
  .meta({
    "x-kubernetes-validations": [
      ...webCa._rules,
      {
        rule: "!has(self.contract) || !(has(self.method) || has(self.body) || has(self.jsonPath))",
        message:
          "provider.web: with contract, ramp writes the request and reads the value itself: remove method, body and jsonPath",
      },
    ],
  })
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
