// What the plugin shows about a Rollout and what it owns, read leniently from raw API objects: a Rollout
// the controller rejected, or one of a newer schema, is still shown as far as it can be.
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { type ExplainedJudgement, explainedJudgement } from "../../analysis/judge/explained.ts";
import { type CanaryStep, RolloutSpec, RolloutStatus } from "../../api/index.ts";
import { HASH_LABEL, REVISION_ANNOTATION } from "../../api/labels.ts";
import { isObject } from "../../json.ts";

type Meta = {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: Date | string;
  deletionTimestamp?: Date | string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
type Raw = { metadata?: Meta; spec?: unknown; status?: unknown };

export type RolloutView = {
  name: string;
  namespace: string;
  created: Date | string | undefined;
  generation: number | undefined;
  strategy: "Canary" | "BlueGreen" | "-";
  replicas: number;
  /** The canary steps (empty for blue-green or a spec that does not parse). */
  steps: CanaryStep[];
  images: string[];
  restartAt: string | undefined;
  status: RolloutStatus;
};

/** Images of a pod template's containers, in order. */
export function imagesOf(template: unknown): string[] {
  const spec = isObject(template) && isObject(template.spec) ? template.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  return containers.flatMap((c: unknown) => (isObject(c) && typeof c.image === "string" ? [c.image] : []));
}

export function rolloutView(raw: unknown): RolloutView {
  const r = (isObject(raw) ? raw : {}) as Raw;
  const spec = RolloutSpec.safeParse(r.spec);
  const loose = isObject(r.spec) ? r.spec : {};
  const strategy = isObject(loose.strategy) ? loose.strategy : {};
  const status = RolloutStatus.safeParse(r.status ?? {});
  return {
    name: r.metadata?.name ?? "",
    namespace: r.metadata?.namespace ?? "",
    created: r.metadata?.creationTimestamp,
    generation: r.metadata?.generation,
    strategy: "canary" in strategy ? "Canary" : "blueGreen" in strategy ? "BlueGreen" : "-",
    replicas: typeof loose.replicas === "number" ? loose.replicas : 1,
    steps: spec.success ? (spec.data.strategy.canary?.steps ?? []) : [],
    images: imagesOf(loose.template),
    restartAt: typeof loose.restartAt === "string" ? loose.restartAt : undefined,
    status: status.success ? status.data : {},
  };
}

export type MetricView = {
  name: string;
  phase: string;
  value: string | undefined;
  measurements: number;
  /** A judge metric's last judgement, line by line. */
  judgement?: ExplainedJudgement | undefined;
};
export type AnalysisRunView = {
  name: string;
  created: Date | string | undefined;
  phase: string;
  message: string | undefined;
  /** Pod-template hash or revision the run belongs to, from its labels, when it says. */
  hash: string | undefined;
  revision: number | undefined;
  metrics: MetricView[];
};

/** An AnalysisRun (src/api/analysis.ts): status.phase and each metric's last measured value. */
export function analysisRunView(raw: unknown): AnalysisRunView {
  const r = (isObject(raw) ? raw : {}) as Raw;
  const status = isObject(r.status) ? r.status : {};
  const results = Array.isArray(status.metricResults) ? status.metricResults : [];
  const labels = { ...(r.metadata?.annotations ?? {}), ...(r.metadata?.labels ?? {}) };
  const revision = Number(labels[REVISION_ANNOTATION]);
  return {
    name: r.metadata?.name ?? "",
    created: r.metadata?.creationTimestamp,
    phase: typeof status.phase === "string" ? status.phase : "Pending",
    message: typeof status.message === "string" ? status.message : undefined,
    hash: labels[HASH_LABEL],
    revision: Number.isInteger(revision) && revision > 0 ? revision : undefined,
    metrics: results.filter(isObject).map((m) => {
      const ms = Array.isArray(m.measurements) ? m.measurements.filter(isObject) : [];
      const last = ms.at(-1)?.value;
      const text = (x: unknown) => (typeof x === "string" ? x : undefined);
      const done = ms.filter((x) => x.phase !== "Running").at(-1);
      const judgement = done && explainedJudgement(text(done.value), text(done.message));
      return {
        name: String(m.name ?? ""),
        phase: typeof m.phase === "string" ? m.phase : "Pending",
        value: text(last),
        measurements: typeof m.count === "number" ? m.count : ms.length,
        ...(judgement ? { judgement } : {}),
      };
    }),
  };
}

export type PodView = {
  name: string;
  created: Date | string | undefined;
  status: string;
  ready: number;
  containers: number;
  restarts: number;
  node: string | undefined;
  ip: string | undefined;
};

/** kubectl's STATUS column, simplified: a waiting or terminated reason beats the phase. */
export function podView(pod: V1Pod): PodView {
  const statuses = pod.status?.containerStatuses ?? [];
  const reason =
    statuses.map((s) => s.state?.waiting?.reason ?? s.state?.terminated?.reason).find((x) => x) ??
    pod.status?.reason;
  return {
    name: pod.metadata?.name ?? "",
    created: pod.metadata?.creationTimestamp,
    status: pod.metadata?.deletionTimestamp ? "Terminating" : (reason ?? pod.status?.phase ?? "Pending"),
    ready: statuses.filter((s) => s.ready).length,
    containers: pod.spec?.containers?.length ?? statuses.length,
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    node: pod.spec?.nodeName,
    ip: pod.status?.podIP,
  };
}

export type ReplicaSetView = {
  name: string;
  hash: string;
  revision: number;
  created: Date | string | undefined;
  desired: number;
  current: number;
  ready: number;
  available: number;
  images: string[];
};

export function replicaSetView(rs: V1ReplicaSet): ReplicaSetView {
  return {
    name: rs.metadata?.name ?? "",
    hash: rs.metadata?.labels?.[HASH_LABEL] ?? "",
    revision: Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0),
    created: rs.metadata?.creationTimestamp,
    desired: rs.spec?.replicas ?? 0,
    current: rs.status?.replicas ?? 0,
    ready: rs.status?.readyReplicas ?? 0,
    available: rs.status?.availableReplicas ?? 0,
    images: imagesOf(rs.spec?.template),
  };
}

/** Everything `kubectl ramp get rollout` shows, as fetched. */
export type RolloutTree = {
  rollout: unknown;
  replicaSets: V1ReplicaSet[];
  pods: V1Pod[];
  analysisRuns: unknown[];
};
