// The job provider: runs a Kubernetes Job; Successful when it succeeds, Failed when it fails.
import type { V1Job } from "@kubernetes/client-node";
import { fillJob } from "./job-args.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";

export const JOB_RUN_LABEL = "ramp.dev/analysisrun";

export type JobApi = {
  create(namespace: string, job: V1Job): Promise<void>;
  /** From the watch cache: undefined until the Job is seen. */
  get(namespace: string, name: string): V1Job | undefined;
};

const jobName = (ctx: MeasureContext) =>
  `${ctx.runName.slice(0, 40)}-${ctx.metric.name.slice(0, 12)}-${ctx.index}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-");

function judge(job: V1Job | undefined, name: string): Outcome {
  const conditions = job?.status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === "Failed" && c.status === "True");
  if (failed)
    return {
      kind: "phase",
      phase: "Failed",
      message: `job ${name} failed: ${failed.reason ?? ""} ${failed.message ?? ""}`.trim(),
      metadata: { job: name },
    };
  if (
    conditions.some((c) => c.type === "Complete" && c.status === "True") ||
    (job?.status?.succeeded ?? 0) > 0
  ) {
    return { kind: "phase", phase: "Successful", message: `job ${name} succeeded`, metadata: { job: name } };
  }
  return { kind: "pending", metadata: { job: name } };
}

export const jobProvider = (api: JobApi): MetricProvider => ({
  async measure(ctx) {
    const job = ctx.metric.provider.job;
    if (!job) throw new Error("not a job metric");
    if (!ctx.secretArgs) throw new Error("a job metric needs to know which args come from Secrets");
    const at = `spec.metrics[${ctx.metricIndex}].provider.job`;
    const spec = fillJob(job, at, ctx.args, ctx.secretArgs) as typeof job;
    const name = jobName(ctx);
    await api.create(ctx.namespace, {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name,
        namespace: ctx.namespace,
        labels: { ...(spec.metadata?.labels ?? {}), [JOB_RUN_LABEL]: ctx.runName },
        ...(spec.metadata?.annotations ? { annotations: spec.metadata.annotations } : {}),
        ownerReferences: [
          {
            apiVersion: "ramp.dev/v1alpha1",
            kind: "AnalysisRun",
            name: ctx.runName,
            uid: ctx.runUid,
            controller: true,
          },
        ],
      },
      spec: spec.spec as unknown as NonNullable<V1Job["spec"]>,
    });
    return { kind: "pending", metadata: { job: name } };
  },
  async resume(ctx, metadata) {
    const name = metadata.job ?? jobName(ctx);
    return judge(api.get(ctx.namespace, name), name);
  },
});
