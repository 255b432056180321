// AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun: reusable checks and their executions.
import { z } from "zod";
import { AnalysisArg, MeasurementRetention, MetricNameRef } from "./analysis-ref.ts";
import { cel, objectMeta, SecretKeyRef } from "./meta.ts";
import { Metric } from "./metric.ts";

const uniqueMetricNames = {
  rule: "self.metrics.all(m, self.metrics.filter(x, x.name == m.name).size() == 1)",
  message: "spec.metrics[].name must be unique",
};

export const TemplateArg = cel(
  z.object({
    name: z.string().min(1).max(128),
    value: z.string().max(8192).optional().describe("Default value; the Rollout's args override it."),
    valueFrom: cel(
      z.object({
        secretKeyRef: SecretKeyRef.optional().describe(
          "A Secret key in the run's namespace; the value is never written to the cluster.",
        ),
        fieldRef: z
          .object({ fieldPath: z.string().max(256) })
          .optional()
          .describe("A path into the Rollout, e.g. metadata.labels['team']."),
      }),
      {
        rule: "has(self.secretKeyRef) != has(self.fieldRef)",
        message:
          "spec.args[].valueFrom: set exactly one of secretKeyRef or fieldRef (a literal default goes in args[].value)",
      },
    ).optional(),
  }),
  {
    rule: "!(has(self.value) && has(self.valueFrom))",
    message:
      "spec.args[]: set value (a default) or valueFrom (a Secret or a field of the Rollout), not both; " +
      "with neither, the Rollout must pass the arg",
  },
);

export const AnalysisTemplateSpec = cel(
  z.object({
    args: z.array(TemplateArg).max(64).optional(),
    metrics: z.array(Metric).min(1).max(32),
    dryRun: z.array(MetricNameRef).max(32).optional(),
    measurementRetention: z.array(MeasurementRetention).max(32).optional(),
  }),
  uniqueMetricNames,
);
export type AnalysisTemplateSpec = z.infer<typeof AnalysisTemplateSpec>;

const templateObject = <K extends string>(kind: K) =>
  z.object({
    apiVersion: z.literal("ramp.dev/v1alpha1"),
    kind: z.literal(kind),
    metadata: objectMeta,
    spec: AnalysisTemplateSpec,
  });
export const AnalysisTemplate = templateObject("AnalysisTemplate");
export type AnalysisTemplate = z.infer<typeof AnalysisTemplate>;
export const ClusterAnalysisTemplate = templateObject("ClusterAnalysisTemplate");
export type ClusterAnalysisTemplate = z.infer<typeof ClusterAnalysisTemplate>;

export const RUN_PHASES = ["Pending", "Running", "Successful", "Failed", "Error", "Inconclusive"] as const;
export const RunPhase = z.enum(RUN_PHASES);
export type RunPhase = z.infer<typeof RunPhase>;

export const Measurement = z.object({
  phase: RunPhase,
  value: z.string().max(4096).optional().describe("The measured value as JSON text."),
  message: z.string().max(4096).optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
export type Measurement = z.infer<typeof Measurement>;

export const MetricResult = z.object({
  name: z.string(),
  phase: RunPhase,
  count: z.int32().min(0).default(0),
  successful: z.int32().min(0).default(0),
  failed: z.int32().min(0).default(0),
  inconclusive: z.int32().min(0).default(0),
  error: z.int32().min(0).default(0),
  consecutiveError: z.int32().min(0).default(0),
  dryRun: z.boolean().optional(),
  measurements: z.array(Measurement).optional(),
});
export type MetricResult = z.infer<typeof MetricResult>;

export const AnalysisRunSpec = cel(
  z.object({
    metrics: z.array(Metric).min(1).max(64),
    args: z.array(AnalysisArg).max(64).optional().describe("Resolved args; Secret values stay references."),
    dryRun: z.array(MetricNameRef).max(64).optional(),
    measurementRetention: z.array(MeasurementRetention).max(64).optional(),
    terminate: z.boolean().optional().describe("Set to true to end the run early (it ends Successful)."),
  }),
  uniqueMetricNames,
  {
    // A run has no Rollout to read a field or a hash from: ramp resolves those when it builds a run.
    rule:
      "!has(self.args) || self.args.all(a, !has(a.valueFrom) || " +
      "(!has(a.valueFrom.fieldRef) && !has(a.valueFrom.podTemplateHashValue)))",
    message:
      "spec.args[].valueFrom: an AnalysisRun takes only secretKeyRef; fieldRef and podTemplateHashValue are " +
      "resolved from a Rollout when ramp builds the run: put the resolved value in args[].value",
  },
);

export const AnalysisRunStatus = z.object({
  phase: RunPhase.optional(),
  message: z.string().max(4096).optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  metricResults: z.array(MetricResult).optional(),
  runSummary: z
    .object({
      count: z.int32().default(0),
      successful: z.int32().default(0),
      failed: z.int32().default(0),
      inconclusive: z.int32().default(0),
      error: z.int32().default(0),
    })
    .optional(),
});

export const AnalysisRun = z.object({
  apiVersion: z.literal("ramp.dev/v1alpha1"),
  kind: z.literal("AnalysisRun"),
  metadata: objectMeta,
  spec: AnalysisRunSpec,
  status: AnalysisRunStatus.optional(),
});
export type AnalysisRun = z.infer<typeof AnalysisRun>;
