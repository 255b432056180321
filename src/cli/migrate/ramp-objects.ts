// The ramp objects a migration creates, from the converter's output: the Rollout runs the adopted version
// (so the controller finds it already deployed), its selector matches the adopted pods, and it records
// where it came from. ramp.dev objects are created, Services and routes taken over, the rest listed.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { ROUTE_APIS } from "../../traffic/apis.ts";
import { ARGO_HASH, argoStableTemplate } from "./argo.ts";
import { adoptingSelector } from "./flagger.ts";
import { pendingVersion, replicaSetTemplate, selectorLabel } from "./flagger-source.ts";
import {
  type KubeObject,
  labelsOf,
  MIGRATED_FROM_ANNOTATION,
  type RampObjects,
  type Source,
} from "./model.ts";
import { sourceId } from "./preflight.ts";

/** The converter's output: the Rollout and everything else it wrote. */
export type Converted = { rollout: KubeObject; others: KubeObject[] };

/**
 * True when the source runs one version and asks for another (Argo's current hash is not its stable one;
 * Flagger's target has a template its primary does not run): only --force migrates it, by taking over the
 * stable version and shipping the other one under ramp afterwards.
 */
export function inProgress(src: Source, stable: V1ReplicaSet): boolean {
  if (src.kind === "flagger") return pendingVersion(src, stable) !== undefined;
  const current = src.rollout.status?.currentPodHash;
  return current !== undefined && current !== labelsOf(stable)[ARGO_HASH];
}

const isRamp = (o: KubeObject) => o.apiVersion?.startsWith("ramp.dev/") === true;
const isTraffic = (o: KubeObject) => o.kind === "Service" || (o.kind !== undefined && o.kind in ROUTE_APIS);

export function rampObjects(input: {
  source: Source;
  stable: V1ReplicaSet;
  converted: Converted;
  namespace: string;
  name: string;
}): RampObjects {
  const { source: src, stable, converted } = input;
  const spec = structuredClone(converted.rollout.spec ?? {});
  const wanted = spec.workloadRef
    ? { template: null, workloadRef: spec.workloadRef }
    : { template: spec.template };
  const takeover = inProgress(src, stable);
  if (takeover) {
    // The stable version runs inline until the version in progress ships (`ship`).
    spec.template =
      src.kind === "argo" ? argoStableTemplate(src.rollout, stable) : replicaSetTemplate(stable);
    delete spec.workloadRef;
  }
  if (src.kind === "flagger") {
    const label = selectorLabel(src.target);
    if (label) spec.selector = adoptingSelector(spec.selector, label);
    // Flagger keeps the target at 0: the running count is the primary's.
    spec.replicas = stable.spec?.replicas ?? 1;
  }
  const meta = converted.rollout.metadata;
  const rollout: KubeObject = {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: {
      name: input.name,
      namespace: input.namespace,
      ...(meta.labels ? { labels: meta.labels } : {}),
      annotations: { ...(meta.annotations ?? {}), [MIGRATED_FROM_ANNOTATION]: sourceId(src) },
    },
    spec,
  };
  const placed = (o: KubeObject): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, ...(o.kind?.startsWith("Cluster") ? {} : { namespace: input.namespace }) },
  });
  const others = converted.others;
  return {
    rollout,
    extras: others.filter(isRamp).map(placed),
    traffic: src.kind === "flagger" ? others.filter((o) => !isRamp(o) && isTraffic(o)).map(placed) : [],
    skipped: others
      .filter((o) => !isRamp(o) && (src.kind === "argo" || !isTraffic(o)))
      .map((o) => `${o.kind ?? "?"} ${o.metadata.name}`),
    ...(takeover ? { ship: wanted } : {}),
  };
}

export const isKubeObject = (v: unknown): v is KubeObject =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as { metadata?: { name?: unknown } }).metadata?.name === "string";
