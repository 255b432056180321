// An Argo Rollout as a ramp Rollout: most fields keep their names and meaning (docs/migrating.md); traffic
// routing, steps and analysis references are converted by their modules; what differs is noted, what ramp
// has no place for is dropped with the alternative.
import { RolloutSpec } from "../../../api/index.ts";
import type { Edit } from "../edit.ts";
import { pruneUnknown, schemaOf, unsupportedReason } from "../prune.ts";
import type { Path } from "../source.ts";
import { convertAnalysisRefs, type TemplateIndex } from "./analysis-ref.ts";
import { convertMetadata } from "./metadata.ts";
import { convertNotifications } from "./notifications.ts";
import { argoReason } from "./reasons.ts";
import { convertSteps } from "./steps.ts";
import { convertTraffic } from "./traffic.ts";

const SPEC: Path = ["spec"];
const CANARY: Path = ["spec", "strategy", "canary"];
const BLUE_GREEN: Path = ["spec", "strategy", "blueGreen"];

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The selector of a Deployment among the inputs (name, the Rollout's namespace), if there is one. */
export type Deployments = (name: string, namespace: string | undefined) => unknown;

/**
 * workloadRef carries when it names an apps/v1 Deployment, the only workload ramp reads a template from.
 * Argo reads the selector from the Deployment when the Rollout has none; ramp needs it written.
 */
function convertWorkloadRef(edit: Edit, deployments: Deployments, namespace: string | undefined): void {
  const at = [...SPEC, "workloadRef"];
  if (!edit.has(at)) return;
  const apiVersion = edit.value([...at, "apiVersion"]);
  const kind = edit.value([...at, "kind"]);
  if (apiVersion !== "apps/v1" || kind !== "Deployment") {
    edit.drop(
      at,
      `a workloadRef to ${String(kind)} (${String(apiVersion)}): ramp reads the template of an apps/v1 ` +
        "Deployment only; copy the pod template into spec.template",
    );
    return;
  }
  const selector = deployments(String(edit.value([...at, "name"])), namespace);
  if (edit.has([...SPEC, "selector"]) || selector === undefined) return;
  edit.insertBefore(SPEC, "selector", selector, "workloadRef");
  edit.note(
    [...SPEC, "selector"],
    "copied from the Deployment: ramp needs spec.selector written (Argo reads it)",
  );
}

/** Where Argo and ramp read the same value differently. */
function noteDifferences(edit: Edit, routed: boolean): void {
  const never =
    "0: Argo keeps the aborted version's pods up for good, ramp scales them down at once; set a large " +
    "value (e.g. 86400) to keep them";
  if (edit.value([...BLUE_GREEN, "abortScaleDownDelaySeconds"]) === 0)
    edit.note([...BLUE_GREEN, "abortScaleDownDelaySeconds"], never);
  if (routed && edit.value([...CANARY, "abortScaleDownDelaySeconds"]) === 0)
    edit.note([...CANARY, "abortScaleDownDelaySeconds"], never);
}

/** The canary strategy: routing first (steps depend on it), references, then the steps. */
function convertCanary(edit: Edit, index: TemplateIndex, namespace: string | undefined): boolean {
  const schema = schemaOf(RolloutSpec);
  const refusal = (path: Path) => unsupportedReason(schema, path.slice(SPEC.length));
  const max = edit.value([...CANARY, "trafficRouting", "maxTrafficWeight"]);
  const routed = convertTraffic(edit, CANARY, refusal, namespace);
  const delay = [...CANARY, "scaleDownDelaySeconds"];
  if (!routed && edit.has(delay)) {
    // Argo ignores it without a router; ramp refuses it there rather than accept and ignore it.
    edit.note(delay, "removed: it applies only with trafficRouting (Argo ignores it without one)");
    edit.remove(delay);
  }
  convertAnalysisRefs(edit, index, namespace);
  const stepIndex = convertSteps(edit, CANARY, {
    routed,
    droppedMaxWeight: !routed && typeof max === "number" ? max : undefined,
    refusal,
  });
  const starting = [...CANARY, "analysis", "startingStep"];
  const from = edit.value(starting);
  if (typeof from === "number" && stepIndex(from) !== from) {
    edit.set(starting, stepIndex(from));
    edit.note(starting, `${from} becomes ${stepIndex(from)}: the steps before it were split or dropped`);
  }
  return routed;
}

/** Converts the Rollout in place. */
export function convertRollout(edit: Edit, index: TemplateIndex, deployments: Deployments): void {
  // Before convertMetadata, which drops the notifications.argoproj.io/ annotations left.
  convertNotifications(edit);
  convertMetadata(edit);
  const namespace = str(edit.value(["metadata", "namespace"]));
  convertWorkloadRef(edit, deployments, namespace);
  const routed = edit.has(CANARY) ? convertCanary(edit, index, namespace) : false;
  if (!edit.has(CANARY)) convertAnalysisRefs(edit, index, namespace);
  noteDifferences(edit, routed);
  pruneUnknown(edit, SPEC, schemaOf(RolloutSpec), argoReason);
}
