// How a Rollout refers to analysis templates: inline steps, background runs and blue-green gates.
import { z } from "zod";
import { cel, objectName, SecretKeyRef } from "./meta.ts";

export const TemplateRef = z.object({
  templateName: objectName("Name of an AnalysisTemplate (or ClusterAnalysisTemplate with clusterScope)."),
  clusterScope: z
    .boolean()
    .optional()
    .describe(
      "Refer to a ClusterAnalysisTemplate instead of an AnalysisTemplate in the Rollout's namespace.",
    ),
});

export const AnalysisArgValueFrom = cel(
  z.object({
    podTemplateHashValue: z
      .enum(["Stable", "Latest"])
      .optional()
      .describe("The pod-template hash of the stable or the latest (canary/preview) version."),
    fieldRef: z
      .object({
        fieldPath: z
          .string()
          .max(256)
          .describe(
            "A path into the Rollout, e.g. metadata.labels['team'] or spec.template.metadata.name " +
              "(test/integration/analysis/run-fields.test.ts).",
          ),
      })
      .optional(),
    secretKeyRef: SecretKeyRef.optional().describe(
      "A Secret key in the Rollout's namespace. The value is never written to status, Events, logs or metrics.",
    ),
  }),
  {
    rule: "[has(self.podTemplateHashValue), has(self.fieldRef), has(self.secretKeyRef)].filter(x, x).size() == 1",
    message:
      "args[].valueFrom: set exactly one of podTemplateHashValue (Stable or Latest), fieldRef (a path into the " +
      "Rollout) or secretKeyRef (a Secret key); for a literal, use args[].value instead of valueFrom",
  },
);

export const AnalysisArg = cel(
  z.object({
    name: z.string().min(1).max(128).describe("The template argument this value fills."),
    value: z.string().max(8192).optional().describe("A literal value."),
    valueFrom: AnalysisArgValueFrom.optional(),
  }),
  {
    rule: "!(has(self.value) && has(self.valueFrom))",
    message:
      "args[]: set value (a literal) or valueFrom (a Secret, a field or a pod-template hash), not both",
  },
);
export type AnalysisArg = z.infer<typeof AnalysisArg>;

const METRIC_NAME_RULE =
  'A metric\'s name, a regular expression matched against whole names ("err.*", ".*"), or "*" for every metric. ' +
  "One that matches no metric of the run ends the run Error naming it " +
  "(test/integration/analysis/run-fields.test.ts).";
export const MetricNameRef = z.object({
  metricName: z.string().min(1).max(128).describe(METRIC_NAME_RULE),
});
export const MeasurementRetention = z.object({
  metricName: z.string().min(1).max(128).describe(METRIC_NAME_RULE),
  limit: z
    .int32()
    .min(1)
    .max(1000)
    .describe("How many measurements of this metric to keep in the AnalysisRun."),
});

/** The common body of every analysis reference from a Rollout. */
export const analysisRefFields = {
  templates: z
    .array(TemplateRef)
    .min(1)
    .max(16)
    .describe("Templates merged into one AnalysisRun; a metric name may appear in only one of them."),
  args: z.array(AnalysisArg).max(64).optional().describe("Values for the templates' args."),
  dryRun: z
    .array(MetricNameRef)
    .max(64)
    .optional()
    .describe(
      "Metrics measured and reported but never able to fail the run or abort the Rollout " +
        "(test/integration/analysis/run-fields.test.ts).",
    ),
  measurementRetention: z
    .array(MeasurementRetention)
    .max(64)
    .optional()
    .describe(
      "How many measurements of the metrics named the run keeps in status (default 10). " +
        "Test: test/integration/analysis/run-fields.test.ts.",
    ),
};

export const RolloutAnalysis = z
  .object(analysisRefFields)
  .describe("Runs an AnalysisRun from the templates; the step (or gate) waits until it ends.");
export type RolloutAnalysis = z.infer<typeof RolloutAnalysis>;

export const BackgroundAnalysis = z
  .object({
    ...analysisRefFields,
    startingStep: z
      .int32()
      .min(0)
      .optional()
      .describe(
        "Index of the step at which the background run starts; 0 (the default) starts with the rollout. " +
          "Past the last step, it never starts (as in Argo Rollouts).",
      ),
  })
  .describe(
    "An AnalysisRun that runs alongside the steps. A failure aborts the rollout at whatever step it is; " +
      "it ends as Successful when the rollout completes.",
  );
