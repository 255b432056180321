// Human-readable words for steps and versions, used in Events, messages and the plugin.
import type { CanaryStep } from "../../api/index.ts";
import { stepKind } from "./steps.ts";

export function describeStep(step: CanaryStep): string {
  switch (stepKind(step)) {
    case "setWeight":
      return `setWeight ${step.setWeight}`;
    case "pause":
      return step.pause?.duration === undefined
        ? "pause (until promoted)"
        : `pause ${String(step.pause.duration)}`;
    case "analysis":
      return `analysis ${(step.analysis?.templates ?? []).map((t) => t.templateName).join(", ")}`;
    case "setCanaryScale": {
      const s = step.setCanaryScale;
      return s?.replicas !== undefined
        ? `setCanaryScale ${s.replicas} pods`
        : s?.weight !== undefined
          ? `setCanaryScale ${s.weight}%`
          : "setCanaryScale matchTrafficWeight";
    }
    case "setHeaderRoute":
      return `setHeaderRoute ${step.setHeaderRoute?.name}`;
    case "setMirrorRoute":
      return `setMirrorRoute ${step.setMirrorRoute?.name}`;
  }
}
