// What a migration reads (the source controller's objects, as the apiserver sends them) and what it will
// create: the inputs of the pure plan.
import type { V1Deployment, V1Pod, V1ReplicaSet, V1Service } from "@kubernetes/client-node";
import type { Target } from "./steps.ts";

export type Labels = Record<string, string>;

export type OwnerRef = {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
};

/** Any object, raw: metadata plus free-form spec and status. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    labels?: Labels;
    annotations?: Labels;
    ownerReferences?: OwnerRef[];
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

/** On the source object while (and after) it is migrated: names the ramp Rollout taking over. */
export const MIGRATING_ANNOTATION = "ramp.dev/migrating-to";
/** On the ramp Rollout: the object it was migrated from (`Rollout.argoproj.io/web`, `Canary.flagger.app/web`). */
export const MIGRATED_FROM_ANNOTATION = "ramp.dev/migrated-from";

export type ArgoSource = {
  kind: "argo";
  rollout: KubeObject;
  /** ReplicaSets the Argo Rollout controls, and those a previous run released for the ramp Rollout. */
  replicaSets: V1ReplicaSet[];
  /** The Services its strategy names, as they are (a missing one is left out). */
  services: V1Service[];
  /** The Istio DestinationRule its trafficRouting names, when there is one. */
  destinationRules: KubeObject[];
};

export type FlaggerSource = {
  kind: "flagger";
  canary: KubeObject;
  /** The Deployment the Canary targets (Flagger keeps it at 0 replicas). */
  target: V1Deployment | undefined;
  /** `<target>-primary`, which runs the stable pods; undefined once a previous run orphan-deleted it. */
  primary: V1Deployment | undefined;
  /** ReplicaSets `<target>-primary` controls, and those a previous run released for the ramp Rollout. */
  replicaSets: V1ReplicaSet[];
  /** The live Services the converted ones are named after (Flagger's apex, `-primary`, `-canary`). */
  services: V1Service[];
  /** The live route objects (HTTPRoute, VirtualService, DestinationRule, Ingress) the converted ones name. */
  routes: KubeObject[];
  /**
   * What the Canary owns that ramp still needs, so must outlive it: the Services and routes ramp takes
   * over, and the `-primary` ConfigMaps and Secrets the adopted pods' template names.
   */
  dependents: Dependent[];
};

/** An object owned by the source, and where its ownerReference to it is (for a JSON patch's test). */
export type Dependent = { target: Target; ownerIndex: number };

export type Source = ArgoSource | FlaggerSource;

/** The running version ramp takes over, without a pod restarted. */
export type Adopted = {
  replicaSet: V1ReplicaSet;
  /** Its live pods when the plan was made. */
  pods: V1Pod[];
  /** ramp's pod-template hash of the Rollout's template: the version these pods are to ramp. */
  hash: string;
  /** The source's revision number of this version, kept as ramp.dev/revision. */
  revision: string;
};

/** What is created in ramp's API. */
export type RampObjects = {
  /** The Rollout, with the adopted version's template and a selector that matches its pods. */
  rollout: KubeObject;
  /** Other converted objects (AnalysisTemplates…), created unless they exist. */
  extras: KubeObject[];
  /**
   * A merge patch of the Rollout's spec that ships the source's version in progress under ramp: only when
   * the source was mid-rollout and --force took over its stable version.
   */
  ship?: Record<string, unknown> | undefined;
  /** Services and routes of the converter's output (Flagger's, which it generated): live ones are brought to them. */
  traffic: KubeObject[];
  /** Outputs migrate does not apply (an HPA…), as `Kind name`, for the user to apply. */
  skipped: string[];
};

export type Migration = {
  namespace: string;
  /** The ramp Rollout's name (the source's). */
  name: string;
  source: Source;
  adopted: Adopted;
  ramp: RampObjects;
};

export const labelsOf = (o: { metadata?: { labels?: Labels | undefined } | undefined }): Labels =>
  o.metadata?.labels ?? {};

/** The controller ownerReference of an object, if any. */
export const controllerOf = (o: {
  metadata?: { ownerReferences?: OwnerRef[] | undefined } | undefined;
}): OwnerRef | undefined => o.metadata?.ownerReferences?.find((r) => r.controller === true);
