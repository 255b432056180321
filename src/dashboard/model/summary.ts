// RolloutSummary from a raw Rollout (and its ReplicaSets, for images the spec does not hold): one overview row.
import { HASH_LABEL } from "../../api/labels.ts";
import type { RolloutSummary } from "../contract.ts";
import type { RawReplicaSet, RawRollout, RawTemplate } from "./raw.ts";

const PHASES = new Set(["Healthy", "Progressing", "Paused", "Degraded"]);

/** `name=image` of every container of a pod template. */
export function imagesOf(template: RawTemplate | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => `${c.name ?? ""}=${c.image ?? ""}`);
}

const hashOf = (rs: RawReplicaSet) => rs.metadata?.labels?.[HASH_LABEL];

export function rolloutSummary(r: RawRollout, replicaSets: RawReplicaSet[] = []): RolloutSummary {
  const status = r.status ?? {};
  const byHash = (hash: string | undefined) =>
    hash === undefined ? undefined : replicaSets.find((rs) => hashOf(rs) === hash);
  const phase = PHASES.has(status.phase ?? "") ? (status.phase as RolloutSummary["phase"]) : "Unknown";
  const strategy = r.spec?.strategy?.blueGreen ? "blueGreen" : "canary";
  const count = status.stepCount ?? 0;
  // A step index past the last step means every step is done: show count/count.
  const step =
    strategy === "canary" && count > 0
      ? { index: Math.min((status.currentStepIndex ?? 0) + 1, count), count }
      : undefined;
  // With spec.workloadRef there is no template here: the newest ReplicaSet has it, else name the Deployment.
  const workload = r.spec?.workloadRef?.name;
  const newest = byHash(status.currentPodHash);
  const images = r.spec?.template
    ? imagesOf(r.spec.template)
    : newest
      ? imagesOf(newest.spec?.template)
      : workload
        ? [`workloadRef: ${workload}`]
        : [];
  const stable = byHash(status.stableRS);
  const stableImages =
    stable && status.stableRS !== status.currentPodHash ? imagesOf(stable.spec?.template) : [];
  const abort = status.abort;
  return {
    namespace: r.metadata?.namespace ?? "",
    name: r.metadata?.name ?? "",
    labels: r.metadata?.labels ?? {},
    phase,
    strategy,
    step,
    weight: status.canary?.weight,
    images,
    stableImages: stableImages.length > 0 && stableImages.join() !== images.join() ? stableImages : undefined,
    createdAt: r.metadata?.creationTimestamp ?? "",
    message: status.message,
    abort: abort
      ? { reason: abort.reason ?? "", message: abort.message ?? "", by: abort.by, at: abort.at ?? "" }
      : undefined,
    resourceVersion: r.metadata?.resourceVersion ?? "",
  };
}
