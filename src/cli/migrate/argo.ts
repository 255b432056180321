// Argo Rollouts as its controller leaves an app: a Rollout whose status names the stable version by its
// pod-template hash (status.stableRS), ReplicaSets labelled rollouts-pod-template-hash and owned by the
// Rollout, and Services (and an Istio DestinationRule's subsets) pinned to that label.
import type { V1ReplicaSet, V1Service } from "@kubernetes/client-node";
import { HASH_LABEL, ROLLOUT_LABEL } from "../../api/labels.ts";
import { isObject } from "../../json.ts";
import {
  createRampObjects,
  labelPods,
  labelReplicaSet,
  releaseReplicaSet,
  shipInProgress,
  waitAdopted,
} from "./adopt.ts";
import {
  type ArgoSource,
  controllerOf,
  type KubeObject,
  labelsOf,
  MIGRATING_ANNOTATION,
  type Migration,
} from "./model.ts";
import { API, type Step, target } from "./steps.ts";

/** The label Argo Rollouts puts on its ReplicaSets, their pods, and the Services it pins. */
export const ARGO_HASH = "rollouts-pod-template-hash";
export const ARGO_REVISION = "rollout.argoproj.io/revision";

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const at = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), o);

/** The Services the Rollout's strategy names: stable/canary (or the pingPong pair), active/preview. */
export function argoServiceNames(rollout: KubeObject): string[] {
  const s = rollout.spec?.strategy;
  const names = [
    at(s, "canary", "stableService"),
    at(s, "canary", "canaryService"),
    at(s, "canary", "trafficRouting", "pingPong", "pingService"),
    at(s, "canary", "trafficRouting", "pingPong", "pongService"),
    at(s, "blueGreen", "activeService"),
    at(s, "blueGreen", "previewService"),
  ].flatMap((v) => (str(v) ? [v as string] : []));
  return [...new Set(names)];
}

/** The Istio DestinationRule whose subsets Argo pins, when the Rollout routes through one. */
export const argoDestinationRule = (rollout: KubeObject): string | undefined =>
  str(at(rollout.spec?.strategy, "canary", "trafficRouting", "istio", "destinationRule", "name"));

const stableHashOf = (rollout: KubeObject): string | undefined => str(rollout.status?.stableRS);

/**
 * The stable ReplicaSet: the one labelled with status.stableRS, controlled by the Argo Rollout or (after an
 * interrupted run) by nobody yet, labelled for the ramp Rollout.
 */
export function argoStableReplicaSet(src: ArgoSource, rampName: string): V1ReplicaSet | undefined {
  const hash = stableHashOf(src.rollout);
  if (!hash) return undefined;
  const uid = src.rollout.metadata.uid;
  return src.replicaSets.find((rs) => {
    if (labelsOf(rs)[ARGO_HASH] !== hash || rs.metadata?.deletionTimestamp) return false;
    const owner = controllerOf(rs);
    if (!owner) return labelsOf(rs)[ROLLOUT_LABEL] === rampName;
    return (
      owner.uid === uid || (owner.apiVersion?.startsWith("ramp.dev/") === true && owner.name === rampName)
    );
  });
}

/** Why the Rollout is mid-rollout (empty when it is settled); what this migration itself did is not counted. */
export function argoMidRollout(rollout: KubeObject): string[] {
  const status = rollout.status ?? {};
  const ours = rollout.metadata.annotations?.[MIGRATING_ANNOTATION] !== undefined;
  const name = rollout.metadata.name;
  const reasons: string[] = [];
  const stable = stableHashOf(rollout);
  const current = str(status.currentPodHash);
  if (!stable) reasons.push(`Argo Rollout ${name} has no stable version yet (status.stableRS is empty)`);
  else if (current !== stable)
    reasons.push(
      `Argo Rollout ${name} is shipping version ${current ?? "?"} while ${stable} is stable ` +
        "(status.currentPodHash differs from status.stableRS)",
    );
  // Our own pause (spec.paused, a new generation, phase Paused) is not a rollout in progress.
  if (!ours) {
    const observed = str(status.observedGeneration);
    const generation = rollout.metadata.generation;
    if (observed !== undefined && generation !== undefined && observed !== String(generation))
      reasons.push(
        `Argo has not yet observed Argo Rollout ${name}'s latest spec (generation ${generation}, observed ${observed})`,
      );
    if (rollout.spec?.paused === true) reasons.push(`Argo Rollout ${name} is paused (spec.paused)`);
    if (status.phase !== undefined && status.phase !== "Healthy")
      reasons.push(
        `Argo Rollout ${name} is ${String(status.phase)}${status.message ? `: ${String(status.message)}` : ""}`,
      );
  }
  if (status.abort === true) reasons.push(`Argo Rollout ${name} is aborted (status.abort)`);
  const pauses = Array.isArray(status.pauseConditions) ? status.pauseConditions : [];
  if (pauses.length > 0) {
    const why = pauses.map((p) => str(at(p, "reason")) ?? "?").join(", ");
    reasons.push(`Argo Rollout ${name} has a pause in progress (${why})`);
  }
  return reasons;
}

/**
 * The stable version's template, for a takeover mid-rollout (--force): the stable ReplicaSet's, without
 * the labels and annotations Argo added (its hash, the stable role's ephemeral metadata) or ramp's hash.
 */
export function argoStableTemplate(rollout: KubeObject, rs: V1ReplicaSet): Record<string, unknown> {
  const template = structuredClone(rs.spec?.template ?? {}) as {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  const strategy = rollout.spec?.strategy;
  const ephemeral = at(strategy, "canary", "stableMetadata") ?? at(strategy, "blueGreen", "activeMetadata");
  const metadata = { ...(template.metadata ?? {}) };
  const labels = { ...(metadata.labels ?? {}) };
  for (const k of [ARGO_HASH, HASH_LABEL, ...Object.keys(asMap(at(ephemeral, "labels")))]) delete labels[k];
  metadata.labels = labels;
  const annotations = { ...(metadata.annotations ?? {}) };
  for (const k of Object.keys(asMap(at(ephemeral, "annotations")))) delete annotations[k];
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...template, metadata };
}

const asMap = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});

/** The version's revision as Argo numbered it (1 when it has none). */
export const argoRevision = (rs: V1ReplicaSet): string => rs.metadata?.annotations?.[ARGO_REVISION] ?? "1";

/** A Service pinned by Argo, re-pinned to ramp's label in one patch: the same pods before and after. */
function repinService(m: Migration, svc: V1Service): Step[] {
  const selector = svc.spec?.selector ?? {};
  const name = svc.metadata?.name ?? "";
  const hash = m.adopted.hash;
  if (!(ARGO_HASH in selector) && selector[HASH_LABEL] === hash) return [];
  const argoHash = selector[ARGO_HASH];
  const same = argoHash === labelsOf(m.adopted.replicaSet)[ARGO_HASH];
  return [
    {
      description:
        `Re-pin Service ${name} from ${ARGO_HASH}=${argoHash ?? "(none)"} to ${HASH_LABEL}=${hash} in one patch` +
        (same
          ? ": it selects the same running pods before and after"
          : ": it moves to the stable pods (the version Argo had in progress gets no traffic from it)"),
      write: {
        verb: "patch",
        target: target(API.service, m.namespace, name),
        type: "merge",
        body: { spec: { selector: { [ARGO_HASH]: null, [HASH_LABEL]: hash } } },
      },
    },
  ];
}

/** The DestinationRule's subsets move from Argo's hash label to ramp's in one JSON patch. */
function repinSubsets(m: Migration, dr: KubeObject): Step[] {
  const subsets = Array.isArray(dr.spec?.subsets) ? (dr.spec.subsets as unknown[]) : [];
  const ops = subsets.flatMap((s, i) => {
    const labels = asMap(at(s, "labels"));
    if (!(ARGO_HASH in labels)) return [];
    return [
      { op: "remove", path: `/spec/subsets/${i}/labels/${ARGO_HASH}` },
      {
        op: "add",
        path: `/spec/subsets/${i}/labels/${HASH_LABEL.replace("/", "~1")}`,
        value: m.adopted.hash,
      },
    ];
  });
  if (ops.length === 0) return [];
  return [
    {
      description:
        `Re-pin DestinationRule ${dr.metadata.name}'s subsets from ${ARGO_HASH} to ${HASH_LABEL}=${m.adopted.hash} ` +
        "in one patch (the pods carry both labels)",
      write: {
        verb: "patch",
        target: target(API.destinationRule, m.namespace, dr.metadata.name),
        type: "json",
        body: ops,
      },
    },
  ];
}

/**
 * The order keeps every Service and subset selecting live pods: pods gain ramp's label before any selector
 * names it, each selector changes in one patch, and Argo's label stays on the pods (their ReplicaSet's
 * selector needs it). Argo is paused first so it scales nothing meanwhile; the ReplicaSet is released only
 * once everything points at ramp's label, and the ramp Rollout created right after adopts it. Argo's
 * controller, when it runs, adopts an orphan its Rollout's selector matches whenever it syncs that Rollout
 * (an event on it, or its resync): the window is one ramp reconcile, and the wait step reports a
 * ReplicaSet taken back; stopping Argo's controller for the Rollout first closes it.
 */
export function argoSteps(m: Migration, src: ArgoSource, opts: { deleteSource: boolean }): Step[] {
  const argo = src.rollout;
  const argoTarget = target(API.argoRollout, m.namespace, argo.metadata.name);
  const uid = argo.metadata.uid ?? "";
  return [
    {
      description: `Pause Argo Rollout ${argo.metadata.name} (spec.paused) so Argo scales and shifts nothing from now on`,
      write: {
        verb: "patch",
        target: argoTarget,
        type: "merge",
        body: { metadata: { annotations: { [MIGRATING_ANNOTATION]: m.name } }, spec: { paused: true } },
      },
    },
    labelReplicaSet(m),
    labelPods(m),
    ...src.services.flatMap((svc) => repinService(m, svc)),
    ...src.destinationRules.flatMap((dr) => repinSubsets(m, dr)),
    ...releaseReplicaSet(m, uid, `Argo Rollout ${argo.metadata.name}`),
    ...createRampObjects(m),
    waitAdopted(m),
    ...shipInProgress(m),
    ...(opts.deleteSource ? argoDeleteSteps(m.namespace, argo) : []),
  ];
}

/**
 * --delete-source: the Argo Rollout goes, with what it still owns (old ReplicaSets at 0, AnalysisRuns);
 * the adopted ReplicaSet is no longer its dependent, so no running pod goes with it.
 */
export function argoDeleteSteps(namespace: string, argo: KubeObject): Step[] {
  return [
    {
      description: `Delete Argo Rollout ${argo.metadata.name} (--delete-source): the running pods are no longer its dependents`,
      write: {
        verb: "delete",
        target: target(API.argoRollout, namespace, argo.metadata.name),
        propagationPolicy: "Background",
        uid: argo.metadata.uid,
      },
    },
  ];
}
