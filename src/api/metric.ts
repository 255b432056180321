// One metric of an analysis: where the value comes from and how it is judged.
import { z } from "zod";
import { cel, duration, SecretKeyRef } from "./meta.ts";

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

export const PrometheusProvider = z
  .object({
    address: z
      .string()
      .min(1)
      .max(2048)
      .describe("Base URL of the Prometheus server, e.g. http://prometheus:9090."),
    query: z
      .string()
      .min(1)
      .max(16384)
      .describe(
        "An instant PromQL query; {{args.NAME}} is replaced by the arg, escaped for string literals.",
      ),
    timeout: duration("provider.prometheus.timeout").optional().describe('Query timeout (default "30s").'),
    headers: z.array(Header).max(16).optional(),
    authentication: z
      .object({
        bearerToken: z.object({ secretKeyRef: SecretKeyRef }).optional(),
        basic: z.object({ username: z.string().max(256), passwordSecretKeyRef: SecretKeyRef }).optional(),
      })
      .optional(),
    insecureSkipVerify: z.boolean().optional().describe("Skip TLS verification (tests only)."),
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
      .describe("A batch/v1 JobSpec."),
  })
  .describe("Runs a Kubernetes Job: Successful when the Job succeeds, Failed when it fails.");

const PROVIDERS = ["prometheus", "web", "job"];

export const Metric = cel(
  z.object({
    name: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?$/),
    provider: cel(
      z.object({
        prometheus: PrometheusProvider.optional(),
        web: WebProvider.optional(),
        job: JobProvider.optional(),
      }),
      {
        rule: `[${PROVIDERS.map((p) => `has(self.${p})`).join(", ")}].filter(x, x).size() == 1`,
        message: `metrics[].provider: set exactly one of ${PROVIDERS.join(", ")}`,
      },
    ),
    interval: duration("metrics[].interval").optional().describe("Time between measurements."),
    initialDelay: duration("metrics[].initialDelay")
      .optional()
      .describe("Wait before the first measurement."),
    count: z
      .int32()
      .min(1)
      .optional()
      .describe("Measurements to take (default 1 without interval, unbounded with)."),
    successCondition: z
      .string()
      .max(4096)
      .optional()
      .describe("A CEL expression over `result`; true marks the measurement Successful."),
    failureCondition: z
      .string()
      .max(4096)
      .optional()
      .describe("A CEL expression over `result`; true marks the measurement Failed."),
    failureLimit: z
      .int32()
      .min(0)
      .optional()
      .describe("Failed measurements tolerated before the metric fails (default 0)."),
    inconclusiveLimit: z
      .int32()
      .min(0)
      .optional()
      .describe("Inconclusive measurements tolerated (default 0)."),
    consecutiveErrorLimit: z.int32().min(0).optional().describe("Consecutive errors tolerated (default 4)."),
    noData: z
      .enum(["fail", "inconclusive", "ignore"])
      .optional()
      .describe(
        "What an empty result or NaN counts as (default inconclusive). Never success: ramp does not promote " +
          "on missing data.",
      ),
  }),
  {
    rule: "has(self.successCondition) || has(self.failureCondition) || has(self.provider.job)",
    message: "metrics[]: set successCondition or failureCondition (a job metric may use neither)",
  },
);
export type Metric = z.infer<typeof Metric>;
