// The AnalysisRun controller inside the ramp process: its queue, its Jobs cache, Secrets on demand.
import type { KubernetesObject, V1Job } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { ConditionEvaluator } from "../analysis/conditions.ts";
import { AnalysisMetrics } from "../analysis/metrics.ts";
import { JOB_RUN_LABEL } from "../analysis/providers/job.ts";
import type { WebPolicy } from "../analysis/providers/web-policy.ts";
import { AnalysisRunReconciler } from "../analysis/run.ts";
import { FIELD_MANAGER } from "../api/labels.ts";
import { type Clients, PatchType, statusCodeOf } from "../kube/client.ts";
import { Informer, objectKey } from "../kube/informer.ts";
import { WorkQueue } from "../kube/workqueue.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { ControllerCaches } from "./caches.ts";
import type { InFlight } from "./liveness.ts";
import { secretReader } from "./secrets.ts";

/** The CEL thread ends after this long without a condition to evaluate (the next run starts it again). */
const CONDITION_THREAD_IDLE_MS = 5 * 60_000;

export type AnalysisController = {
  queue: WorkQueue;
  jobs: Informer<V1Job>;
  metrics: AnalysisMetrics;
  /** Queue every run (on becoming leader). */
  enqueueAll(): void;
  stop(): Promise<void>;
};

export function analysisController(opts: {
  clients: Clients;
  caches: ControllerCaches;
  metrics: Metrics;
  log: Logger;
  namespace?: string | undefined;
  /** Where running reconciles are recorded for /healthz (liveness.ts). */
  inFlight?: InFlight;
  workers: number;
  leading: () => boolean;
  /** What web metrics may call (default: the built-in deny entries alone). */
  web?: WebPolicy | undefined;
}): AnalysisController {
  const { clients, caches, log } = opts;
  const ns = opts.namespace ? `/namespaces/${opts.namespace}` : "";
  const slimJob = (o: KubernetesObject): V1Job => {
    const j = o as V1Job;
    return {
      metadata: {
        name: j.metadata?.name ?? "",
        namespace: j.metadata?.namespace ?? "",
        labels: j.metadata?.labels ?? {},
      },
      ...(j.status ? { status: j.status } : {}),
    };
  };
  const jobs = new Informer<V1Job>({
    source: clients,
    path: `/apis/batch/v1${ns}/jobs`,
    labelSelector: JOB_RUN_LABEL,
    transform: slimJob,
    metrics: opts.metrics,
    log,
  });
  const analysisMetrics = new AnalysisMetrics(opts.metrics.registry);
  const evaluator = new ConditionEvaluator({ idleStopMs: CONDITION_THREAD_IDLE_MS });
  const reconciler = new AnalysisRunReconciler({
    run: (key) => caches.analysisRuns.get(key),
    async patchStatus(namespace, name, resourceVersion, status) {
      const path = `/apis/ramp.dev/v1alpha1/namespaces/${namespace}/analysisruns/${name}/status?fieldManager=${FIELD_MANAGER}`;
      await clients.request("PATCH", path, { metadata: { resourceVersion }, status }, PatchType.merge);
    },
    secret: secretReader(clients),
    providers: {
      web: opts.web,
      jobs: {
        async create(namespace, job) {
          try {
            await clients.request(
              "POST",
              `/apis/batch/v1/namespaces/${namespace}/jobs?fieldManager=${FIELD_MANAGER}`,
              job,
            );
          } catch (err) {
            if (statusCodeOf(err) !== 409) throw err;
          }
        },
        get: (namespace, name) => jobs.get(`${namespace}/${name}`),
      },
    },
    evaluator,
    metrics: analysisMetrics,
    log,
    now: Date.now,
  });
  const queue = new WorkQueue({
    name: "analysisruns",
    workers: opts.workers,
    metrics: opts.metrics,
    log,
    handler: (key) =>
      opts.inFlight ? opts.inFlight.track(key, () => reconciler.reconcile(key)) : reconciler.reconcile(key),
  });
  const enqueue = (key: string) => {
    if (!opts.leading()) return;
    // The CEL thread costs ~15 MiB resident (docs/performance.md): started by runs, not at boot, it
    // ends once no run has moved for CONDITION_THREAD_IDLE_MS.
    void evaluator.warm();
    queue.add(key);
  };
  caches.analysisRuns.on("add", (o) => enqueue(objectKey(o)));
  caches.analysisRuns.on("update", (_, o) => enqueue(objectKey(o)));
  caches.analysisRuns.on("delete", (o) =>
    analysisMetrics.forget(o.metadata?.namespace ?? "", o.metadata?.name ?? ""),
  );
  const fromJob = (j: V1Job) => {
    const run = j.metadata?.labels?.[JOB_RUN_LABEL];
    if (run) enqueue(`${j.metadata?.namespace}/${run}`);
  };
  jobs.on("add", fromJob);
  jobs.on("update", (_, j) => fromJob(j));
  return {
    queue,
    jobs,
    metrics: analysisMetrics,
    enqueueAll: () => {
      for (const key of caches.analysisRuns.keys()) enqueue(key);
    },
    async stop() {
      await queue.shutdown();
      await jobs.stop();
      await evaluator.close();
    },
  };
}
