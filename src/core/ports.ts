// What a reconcile needs from the outside world: caches to read, a writer, an event sink, a clock.
import type { V1Deployment, V1Pod, V1ReplicaSet, V1Service } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { AnalysisRun, NotificationLedger, Rollout, RolloutStatus } from "../api/index.ts";
import type { RouteCaches, RouteWriter } from "../traffic/ports.ts";
import type { RecordParams } from "./records.ts";

/** Read-only views of the watch caches; nothing here makes an API request. */
export interface Caches extends RouteCaches {
  /** The raw Rollout object (parsed by the reconcile), by `namespace/name`. */
  rollout(key: string): unknown;
  /** ReplicaSets labelled as owned by the Rollout `namespace/name`. */
  replicaSetsOf(key: string): V1ReplicaSet[];
  service(namespace: string, name: string): V1Service | undefined;
  analysisRunsOf(key: string): AnalysisRun[];
  analysisTemplate(namespace: string, name: string, clusterScope: boolean): unknown;
  /** A Deployment a Rollout's spec.workloadRef names. */
  deployment(namespace: string, name: string): V1Deployment | undefined;
  /** Namespaces that hold a Deployment of this name (to name the fix when a workloadRef misses); optional. */
  deploymentNamespaces?(name: string): string[];
  /** Names of the HorizontalPodAutoscalers whose scaleTargetRef is this `kind` (apps/v1 or ramp.dev) object. */
  autoscalersOf(namespace: string, kind: string, name: string): string[];
}

/** Every write a reconcile makes; implemented over the API clients, counted per verb. */
export interface Writer extends RouteWriter {
  createReplicaSet(namespace: string, rs: V1ReplicaSet): Promise<V1ReplicaSet>;
  patchReplicaSet(namespace: string, name: string, patch: object): Promise<void>;
  deleteReplicaSet(namespace: string, name: string): Promise<void>;
  /** spec.replicas of a Deployment a workloadRef names: ramp's only write to it (scaleDown). */
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<void>;
  patchService(namespace: string, name: string, patch: object): Promise<void>;
  createAnalysisRun(namespace: string, run: AnalysisRun): Promise<void>;
  patchAnalysisRun(namespace: string, name: string, patch: object): Promise<void>;
  deleteAnalysisRun(namespace: string, name: string): Promise<void>;
  /** JSON merge patch of the status subresource; `resourceVersion` makes it fail (409) on a stale read. */
  patchRolloutStatus(
    namespace: string,
    name: string,
    resourceVersion: string,
    status: object,
  ): Promise<string>;
  /**
   * Replaces metadata.finalizers of a Rollout (a merge patch); `resourceVersion` makes it fail (409) on a
   * stale read, so another controller's finalizer is never dropped. A Rollout already gone is fine.
   */
  patchRolloutFinalizers(
    namespace: string,
    name: string,
    resourceVersion: string,
    finalizers: string[],
  ): Promise<void>;
}

export type EventTarget = { kind: string; apiVersion: string; name: string; namespace: string; uid: string };
export interface EventSink {
  record(target: EventTarget, event: RecordParams): void;
}

/** Pods are not cached: they are read only for a restart (spec.restartAt) or a role change of their version. */
export interface Pods {
  /** A LIST of the pods matching a label selector string, straight from the apiserver. */
  list(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  /** Deletes one pod; its ReplicaSet replaces it. A pod already gone is not an error. */
  delete(namespace: string, name: string): Promise<void>;
  /** Merges `metadata` (labels, annotations; null removes a key) into a running pod; one already gone is fine. */
  patchMetadata(namespace: string, name: string, metadata: object): Promise<void>;
}

export type Deps = {
  caches: Caches;
  writer: Writer;
  pods: Pods;
  events: EventSink;
  log: Logger;
  now: () => number;
  /** Notifications (src/notify/hub.ts); absent, no ledger is kept. */
  notify?: NotifyPort | undefined;
};

/** The notification ledger every status write carries (docs/adr/0015-notifications-ledger.md). */
export interface NotifyPort {
  /** The ledger the write from `before` to `after` carries: owed, less delivered, plus its transitions. */
  ledger(
    key: string,
    rollout: Rollout | undefined,
    before: RolloutStatus | undefined,
    after: RolloutStatus,
    now: number,
  ): NotificationLedger | undefined;
  /** The ledger as it now stands in the apiserver (written, or found unchanged): deliver what it owes. */
  persisted(key: string, target: EventTarget, ledger: NotificationLedger | undefined): void;
}
