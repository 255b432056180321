// Checks a Rollout that passed admission against the cluster: what CEL cannot see.
import type { Rollout } from "../api/index.ts";
import type { Caches } from "../core/ports.ts";
import { RampError } from "../errors.ts";
import { selectorMatches } from "../kube/selector.ts";

/** Throws a RampError naming the field and the fix for the first problem found. */
export function validateReferences(r: Rollout, namespace: string, caches: Caches): void {
  if (!selectorMatches(r.spec.selector, r.spec.template.metadata?.labels)) {
    throw new RampError(
      "SelectorMismatch",
      "spec.selector does not select spec.template.metadata.labels: make the template's labels satisfy every " +
        "matchLabels entry and matchExpressions requirement",
    );
  }
  const canary = r.spec.strategy.canary;
  const blueGreen = r.spec.strategy.blueGreen;
  const services: [string, string | undefined][] = canary
    ? [
        ["spec.strategy.canary.canaryService", canary.canaryService],
        ["spec.strategy.canary.stableService", canary.stableService],
        ["spec.strategy.canary.pingPong.pingService", canary.pingPong?.pingService],
        ["spec.strategy.canary.pingPong.pongService", canary.pingPong?.pongService],
      ]
    : [
        ["spec.strategy.blueGreen.activeService", blueGreen?.activeService],
        ["spec.strategy.blueGreen.previewService", blueGreen?.previewService],
      ];
  for (const [field, name] of services) {
    if (name && !caches.service(namespace, name)) {
      throw new RampError(
        "ServiceNotFound",
        `${field}: Service "${name}" does not exist in namespace "${namespace}": create it or correct the name`,
      );
    }
  }
  const refs = [
    ...(canary?.steps ?? []).flatMap((s, i) =>
      (s.analysis?.templates ?? []).map((t) => ({ t, field: `spec.strategy.canary.steps[${i}].analysis` })),
    ),
    ...(canary?.analysis?.templates ?? []).map((t) => ({ t, field: "spec.strategy.canary.analysis" })),
    ...(blueGreen?.prePromotionAnalysis?.templates ?? []).map((t) => ({
      t,
      field: "spec.strategy.blueGreen.prePromotionAnalysis",
    })),
    ...(blueGreen?.postPromotionAnalysis?.templates ?? []).map((t) => ({
      t,
      field: "spec.strategy.blueGreen.postPromotionAnalysis",
    })),
  ];
  for (const { t, field } of refs) {
    const cluster = t.clusterScope === true;
    if (!caches.analysisTemplate(namespace, t.templateName, cluster)) {
      const kind = cluster ? "ClusterAnalysisTemplate" : `AnalysisTemplate in namespace "${namespace}"`;
      throw new RampError(
        "AnalysisTemplateNotFound",
        `${field}: ${kind} "${t.templateName}" does not exist: create it, correct templateName, or set clusterScope`,
      );
    }
  }
}
