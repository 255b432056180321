// The Rollout: a Deployment-like workload whose new versions ramp ships with a canary or blue-green.
import { z } from "zod";
import { BlueGreenStrategy } from "./bluegreen.ts";
import { CanaryStrategy } from "./canary.ts";
import { cel, LabelSelector, objectMeta, PodTemplateSpec, unsupportedFields } from "./meta.ts";
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

const UNSUPPORTED_SPEC = unsupportedFields("spec", {
  workloadRef:
    "not yet: copy the Deployment's pod template into spec.template (and its selector into spec.selector)",
});

export const RolloutSpec = cel(
  z.object({
    ...UNSUPPORTED_SPEC.shape,
    replicas: z
      .int32()
      .min(0)
      .default(1)
      .describe("Desired pods (default 1). An HPA may drive it through the scale subresource."),
    selector: cel(LabelSelector, {
      rule: "self == oldSelf",
      message: "spec.selector is immutable: create a new Rollout to change it",
    }),
    template: PodTemplateSpec,
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
  ...UNSUPPORTED_SPEC.rules,
  {
    rule: "has(self.selector.matchLabels) || has(self.selector.matchExpressions)",
    message: "spec.selector: set matchLabels (or matchExpressions); an empty selector would match every pod",
  },
  {
    rule:
      "!has(self.selector.matchLabels) || (has(self.template.metadata) && has(self.template.metadata.labels) && " +
      "self.selector.matchLabels.all(k, k in self.template.metadata.labels && " +
      "self.template.metadata.labels[k] == self.selector.matchLabels[k]))",
    message: "spec.template.metadata.labels must include every spec.selector.matchLabels entry",
  },
);
export type RolloutSpec = z.infer<typeof RolloutSpec>;

export const Rollout = z.object({
  apiVersion: z.literal("ramp.dev/v1alpha1"),
  kind: z.literal("Rollout"),
  metadata: objectMeta,
  spec: RolloutSpec,
  status: RolloutStatus.optional(),
});
export type Rollout = z.infer<typeof Rollout>;
