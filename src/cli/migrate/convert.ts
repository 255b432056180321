// The migration's ramp objects come from `kubectl ramp convert`'s converters, fed the live source objects
// (cleaned of what the apiserver and this migration wrote) and what they reference.
import { isObject } from "../../json.ts";
import { convertArgo } from "../convert/argo/index.ts";
import { convertFlagger } from "../convert/flagger/index.ts";
import { objectSource } from "../convert/source.ts";
import type { Drop } from "../convert/types.ts";
import { type KubeObject, MIGRATING_ANNOTATION, type Source } from "./model.ts";
import { type Converted, isKubeObject } from "./ramp-objects.ts";

export type Conversion = { converted: Converted | undefined; drops: Drop[]; notes: Drop[] };

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** The object as its author wrote it: no status, no server metadata, none of this migration's own marks. */
export function cleaned(o: KubeObject): KubeObject {
  const annotations = { ...(o.metadata.annotations ?? {}) };
  const ours = MIGRATING_ANNOTATION in annotations;
  delete annotations[LAST_APPLIED];
  delete annotations[MIGRATING_ANNOTATION];
  const spec = structuredClone(o.spec ?? {});
  // The pause (Argo) or suspend (Flagger) this migration wrote is not the user's.
  if (ours) {
    delete spec.paused;
    delete spec.suspend;
  }
  return {
    ...(o.apiVersion ? { apiVersion: o.apiVersion } : {}),
    ...(o.kind ? { kind: o.kind } : {}),
    metadata: {
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec,
  };
}

/**
 * Converts the source with what it references (`context`: Argo's AnalysisTemplates and a workloadRef's
 * Deployment; Flagger's target Deployment, MetricTemplates and HPA). Flagger's target stays a workloadRef,
 * as `kubectl ramp convert` writes it by default: the Deployment in Git keeps the pod template.
 */
export function convertSource(src: Source, context: KubeObject[]): Conversion {
  const main = src.kind === "argo" ? src.rollout : src.canary;
  const docs = [main, ...context].map((o) => objectSource(cleaned(o)));
  const result = src.kind === "argo" ? convertArgo(docs) : convertFlagger(docs, { inline: false });
  const objects = result.outputs.map((o) => o.doc.toJS() as unknown).filter(isKubeObject);
  const rollout = objects.find((o) => o.kind === "Rollout" && o.metadata.name === main.metadata.name);
  return {
    converted: rollout ? { rollout, others: objects.filter((o) => o !== rollout) } : undefined,
    drops: result.drops,
    notes: result.notes,
  };
}

/** The AnalysisTemplates an Argo Rollout names anywhere in its strategy: name and whether cluster-scoped. */
export function argoTemplateRefs(rollout: KubeObject): { name: string; cluster: boolean }[] {
  const found = new Map<string, { name: string; cluster: boolean }>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      if (typeof v.templateName === "string") {
        const cluster = v.clusterScope === true;
        found.set(`${cluster}/${v.templateName}`, { name: v.templateName, cluster });
      }
      Object.values(v).forEach(walk);
    }
  };
  walk(rollout.spec?.strategy);
  return [...found.values()];
}
