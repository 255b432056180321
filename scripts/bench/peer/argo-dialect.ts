// How the bench's recorder reads Argo Rollouts' objects: its Rollout status mapped onto ramp's field names
// (the same clocks then apply to both), its ReplicaSets and AnalysisRuns by owner reference.
import type { WatchedObject } from "../../../dev/watch.ts";
import type { Dialect, Status } from "../recorder.ts";
import { ARGO_API } from "./argo-workload.ts";

type ArgoStatus = {
  observedGeneration?: string | number;
  phase?: string;
  currentPodHash?: string;
  stableRS?: string;
  currentStepIndex?: number;
  pauseConditions?: { reason?: string; startTime?: string }[];
  abort?: boolean;
  message?: string;
};
type Owned = WatchedObject & { metadata?: { ownerReferences?: { kind?: string; name?: string }[] } };

/** Argo's status in ramp's terms; without a traffic router Argo reports no weight, so none is mapped. */
export function argoStatus(o: WatchedObject | undefined): Status {
  const s = (o?.status ?? {}) as ArgoStatus;
  const pause = s.pauseConditions?.find((c) => c.reason === "CanaryPauseStep");
  const generation = Number(s.observedGeneration);
  return {
    ...(Number.isFinite(generation) ? { observedGeneration: generation } : {}),
    ...(s.phase ? { phase: s.phase } : {}),
    ...(s.currentPodHash ? { currentPodHash: s.currentPodHash } : {}),
    ...(s.stableRS ? { stableRS: s.stableRS } : {}),
    ...(s.currentStepIndex === undefined ? {} : { currentStepIndex: s.currentStepIndex }),
    ...(pause?.startTime ? { pauseStartTime: pause.startTime } : {}),
    ...(s.abort ? { abort: { reason: s.message ?? "aborted" } } : {}),
  };
}

export const ARGO_DIALECT: Dialect = {
  api: ARGO_API,
  statusOf: argoStatus,
  ownerOf: (o) => (o as Owned).metadata?.ownerReferences?.find((r) => r.kind === "Rollout")?.name,
  hashOf: (o) => o.metadata?.labels?.["rollouts-pod-template-hash"],
  // The abort is written before the canary's ReplicaSet is scaled down: only the ReplicaSet says 0%.
  zeroFromStatus: false,
};
