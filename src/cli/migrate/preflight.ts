// Before anything is written: what makes a migration impossible (refused, whatever the flags), and what
// makes it a takeover in the middle of a rollout (refused unless --force).
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { argoMidRollout } from "./argo.ts";
import { flaggerMidRollout, selectorLabel, targetName } from "./flagger-source.ts";
import { type KubeObject, MIGRATED_FROM_ANNOTATION, type Source } from "./model.ts";

export type Preflight = {
  /** Nothing can be migrated: each says why. */
  blocked: string[];
  /** The source is mid-rollout: each says why; --force takes over its stable version anyway. */
  midRollout: string[];
};

/** `Rollout.argoproj.io/web`, `Canary.flagger.app/web`: what the ramp Rollout records it came from. */
export const sourceId = (src: Source): string =>
  src.kind === "argo"
    ? `Rollout.argoproj.io/${src.rollout.metadata.name}`
    : `Canary.flagger.app/${src.canary.metadata.name}`;

export function preflight(input: {
  source: Source;
  name: string;
  stable: V1ReplicaSet | undefined;
  pods: V1Pod[];
  /** A ramp Rollout of the same name, when there is one. */
  existing: KubeObject | undefined;
}): Preflight {
  const { source: src, stable, existing, name } = input;
  const blocked: string[] = [];
  const from = existing?.metadata.annotations?.[MIGRATED_FROM_ANNOTATION];
  if (existing && from !== sourceId(src))
    blocked.push(
      `a ramp Rollout ${name} already exists${from ? ` (migrated from ${from})` : ""}: delete it, or migrate into another namespace`,
    );
  if (src.kind === "flagger") {
    const t = targetName(src.canary);
    const kind = (src.canary.spec?.targetRef as { kind?: unknown } | undefined)?.kind;
    if (kind !== undefined && kind !== "Deployment")
      blocked.push(
        `Canary ${src.canary.metadata.name} targets a ${String(kind)}: ramp migrates Deployments only`,
      );
    else if (!src.target) blocked.push(`the Canary's target Deployment ${t} does not exist`);
    else if (!selectorLabel(src.target))
      blocked.push(
        `Deployment ${t}'s selector has none of Flagger's selector labels (app, name, app.kubernetes.io/name)`,
      );
  }
  if (!stable)
    blocked.push(
      src.kind === "argo"
        ? `no ReplicaSet of Argo Rollout ${src.rollout.metadata.name} is labelled with its stable hash (status.stableRS)`
        : `Deployment ${targetName(src.canary)}-primary has no ReplicaSet with pods`,
    );
  const midRollout = src.kind === "argo" ? argoMidRollout(src.rollout) : flaggerMidRollout(src, stable);
  const want = stable?.spec?.replicas ?? 0;
  const available = stable?.status?.availableReplicas ?? 0;
  if (stable && available < want)
    midRollout.push(`ReplicaSet ${stable.metadata?.name} has ${available} of ${want} pods available`);
  return { blocked, midRollout };
}
