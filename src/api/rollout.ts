// The Rollout: a Deployment-like workload whose new versions ramp ships with a canary or blue-green.
import { z } from "zod";
import { BlueGreenStrategy } from "./bluegreen.ts";
import { CanaryStrategy } from "./canary.ts";
import { cel, LabelSelector, objectMeta, PodTemplateSpec } from "./meta.ts";
import { RolloutStatus } from "./rollout-status.ts";

export const Strategy = cel(
  z
    .object({
      canary: CanaryStrategy.optional(),
      blueGreen: BlueGreenStrategy.optional(),
    })
    .describe("How a new version is shipped. Exactly one of canary or blueGreen."),
  {
    rule: "has(self.canary) != has(self.blueGreen)",
    message: "spec.strategy: set exactly one of canary or blueGreen",
  },
);

export const WorkloadRef = z
  .object({
    apiVersion: z.literal("apps/v1").describe("apps/v1: the only workload API ramp reads a template from."),
    kind: z.literal("Deployment").describe("Deployment."),
    name: z.string().min(1).describe("The Deployment, in the Rollout's own namespace."),
    scaleDown: z
      .enum(["never", "onsuccess", "progressively"])
      .default("never")
      .describe(
        "What ramp does to the Deployment's spec.replicas (its only write to it): `never` leaves it; " +
          "`onsuccess` scales it to 0 once the Rollout has a Healthy stable version; `progressively` " +
          "scales it down as the Rollout's pods become available, so total capacity never drops (default never).",
      ),
  })
  .describe(
    "Run an existing Deployment's pod template instead of spec.template: a change to the Deployment's " +
      "template (the usual Git change) ships as a new version. Exactly one of template and workloadRef.",
  );
export type WorkloadRef = z.infer<typeof WorkloadRef>;

export const RolloutSpec = cel(
  z.object({
    replicas: z
      .int32()
      .min(0)
      .default(1)
      .describe("Desired pods (default 1). An HPA may drive it through the scale subresource."),
    selector: cel(LabelSelector, {
      rule: "self == oldSelf",
      message: "spec.selector is immutable: create a new Rollout to change it",
    }),
    template: PodTemplateSpec.optional(),
    workloadRef: WorkloadRef.optional(),
    minReadySeconds: z
      .int32()
      .min(0)
      .optional()
      .describe("Seconds a pod must be Ready to count as available."),
    revisionHistoryLimit: z
      .int32()
      .min(0)
      .default(10)
      .describe("Old ReplicaSets kept (scaled to zero) for rollback; older ones are deleted (default 10)."),
    rollbackWindow: z
      .object({
        revisions: z
          .int32()
          .min(0)
          .describe("How many of the newest revisions count: going back to one of them skips the steps."),
      })
      .optional()
      .describe(
        "Going back to a recent revision (Git reverted to a version that ran within the last `revisions` " +
          "revisions) is promoted at once, without steps, pauses or analysis, once its pods are ready.",
      ),
    progressDeadlineSeconds: z
      .int32()
      .min(1)
      .default(600)
      .describe(
        "Seconds the new version may go without progress before Progressing=False (ProgressDeadlineExceeded). " +
          "Time spent paused does not count (default 600).",
      ),
    progressDeadlineAbort: z
      .boolean()
      .optional()
      .describe(
        "Abort (traffic back to stable) when the progress deadline is exceeded, instead of only reporting.",
      ),
    paused: z
      .boolean()
      .optional()
      .describe(
        "Hold the rollout where it is. Owned by Git; `kubectl ramp pause` writes to status instead, so " +
          "GitOps tools never see drift.",
      ),
    restartAt: z
      .string()
      .optional()
      .describe("RFC 3339 time: pods created before it are replaced, respecting maxUnavailable."),
    strategy: Strategy,
    analysis: z
      .object({
        successfulRunHistoryLimit: z.int32().min(0).max(100).default(5),
        unsuccessfulRunHistoryLimit: z.int32().min(0).max(100).default(5),
      })
      .optional()
      .describe("How many finished AnalysisRuns of this Rollout to keep."),
  }),
  {
    rule: "has(self.template) != has(self.workloadRef)",
    message:
      "spec.template, spec.workloadRef: set exactly one (the pods inline, or a Deployment's pod template)",
  },
  {
    rule: "has(self.selector.matchLabels) || has(self.selector.matchExpressions)",
    message: "spec.selector: set matchLabels (or matchExpressions); an empty selector would match every pod",
  },
  {
    rule:
      "!has(self.selector.matchLabels) || !has(self.template) || (has(self.template.metadata) && has(self.template.metadata.labels) && " +
      "self.selector.matchLabels.all(k, k in self.template.metadata.labels && " +
      "self.template.metadata.labels[k] == self.selector.matchLabels[k]))",
    message: "spec.template.metadata.labels must include every spec.selector.matchLabels entry",
  },
);
/** The spec as written: a template or a workloadRef. */
export type RolloutSpecManifest = z.infer<typeof RolloutSpec>;
/** The spec as the controller runs it: with workloadRef, the template is the Deployment's (core/workload.ts). */
export type RolloutSpec = RolloutSpecManifest & { template: PodTemplateSpec };

export const Rollout = z.object({
  apiVersion: z.literal("ramp.dev/v1alpha1"),
  kind: z.literal("Rollout"),
  metadata: objectMeta,
  spec: RolloutSpec,
  status: RolloutStatus.optional(),
});
/** A Rollout as written (template or workloadRef): what parsing gives. */
export type RolloutManifest = z.infer<typeof Rollout>;
/** A Rollout with its pod template resolved: what the strategies read. */
export type Rollout = Omit<RolloutManifest, "spec"> & { spec: RolloutSpec };
