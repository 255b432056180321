// The blue-green strategy: the new version runs beside the old one, then the active Service switches.
import { z } from "zod";
import { RolloutAnalysis } from "./analysis-ref.ts";
import { AntiAffinity, cel, intOrPercent, objectName, PodMetadata } from "./meta.ts";

export const BlueGreenStrategy = cel(
  z
    .object({
      activeService: objectName("Service that receives production traffic; ramp repoints it at the switch."),
      previewService: objectName(
        "Service pointed at the new version before the switch, for checks.",
      ).optional(),
      previewReplicaCount: z
        .int32()
        .min(0)
        .optional()
        .describe("Replicas of the new version before the switch (default: spec.replicas)."),
      autoPromotionEnabled: z
        .boolean()
        .default(true)
        .describe(
          "Switch automatically once the new version is available; false waits for `kubectl ramp promote`.",
        ),
      autoPromotionSeconds: z
        .int32()
        .min(0)
        .optional()
        .describe("Wait this long after the new version is available before switching automatically."),
      maxUnavailable: intOrPercent("spec.strategy.blueGreen.maxUnavailable")
        .optional()
        .describe("Pods of the active version allowed to be unavailable while it is replaced (default 0)."),
      scaleDownDelaySeconds: z
        .int32()
        .min(0)
        .optional()
        .describe(
          "Seconds the old version stays up after the switch, for an instant switch back (default 30).",
        ),
      antiAffinity: AntiAffinity.optional(),
      scaleDownDelayRevisionLimit: z
        .int32()
        .min(0)
        .optional()
        .describe(
          "How many old versions may wait out scaleDownDelaySeconds at once: older ones scale down at once " +
            "(default: all of them).",
        ),
      abortScaleDownDelaySeconds: z
        .int32()
        .min(0)
        .optional()
        .describe("Seconds the preview stays up after an abort (default 30)."),
      prePromotionAnalysis: RolloutAnalysis.optional().describe("Must succeed before the switch."),
      postPromotionAnalysis: RolloutAnalysis.optional().describe(
        "Runs after the switch while the old version is still up; a failure switches back and aborts.",
      ),
      activeMetadata: PodMetadata.optional().describe(
        "Labels and annotations added to the active version's pods.",
      ),
      previewMetadata: PodMetadata.optional().describe(
        "Labels and annotations added to the preview version's pods.",
      ),
    })
    .describe("Runs the new version beside the old one, checks it, then switches all traffic at once."),
  {
    rule: "!has(self.previewService) || self.previewService != self.activeService",
    message: "spec.strategy.blueGreen: previewService must differ from activeService",
  },
  {
    rule: "!has(self.autoPromotionSeconds) || self.autoPromotionEnabled",
    message: "spec.strategy.blueGreen.autoPromotionSeconds needs autoPromotionEnabled: true (or remove it)",
  },
);
export type BlueGreenStrategy = z.infer<typeof BlueGreenStrategy>;
