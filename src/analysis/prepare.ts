// What a run needs before it measures, checked on every pass from the spec as stored: conditions that
// parse, the args (Secrets read, never written back), the metrics resolved from them, the dryRun and
// measurementRetention entries matched to metrics, and Job specs that would not leak a Secret arg.
import type { AnalysisRun, RunPhase } from "../api/index.ts";
import { checkCondition } from "./conditions.ts";
import { redact } from "./encode.ts";
import { matchRules } from "./names.ts";
import { fillJob, type SecretRef } from "./providers/job-args.ts";
import { type ResolvedMetric, resolveMetric } from "./resolve.ts";

export type Prepared = {
  args: Record<string, string>;
  /** Secret values, to redact from every message. */
  secrets: Set<string>;
  /** The args that come from Secrets, with their references. */
  secretArgs: Record<string, SecretRef>;
  metrics: ResolvedMetric[];
  dryRun: Set<string>;
  /** How many measurements to keep, per metric that a measurementRetention entry names. */
  retain: Map<string, number>;
};

export type Failed = { failed: { phase: RunPhase; message: string } };

/**
 * Conditions that do not parse fail the run (Failed, with the position), before anything else; one with
 * {{args}} is checked once `resolved` (the args are in).
 */
function conditionFailure(
  run: {
    spec: {
      metrics: {
        name: string;
        successCondition?: string | undefined;
        failureCondition?: string | undefined;
      }[];
    };
  },
  resolved = false,
): Failed | undefined {
  for (const m of run.spec.metrics) {
    for (const [field, expr] of [
      ["successCondition", m.successCondition],
      ["failureCondition", m.failureCondition],
    ] as const) {
      // One with {{args}} is checked once they are in (below).
      if (!expr || (!resolved && expr.includes("{{"))) continue;
      try {
        checkCondition(expr);
      } catch (err) {
        const message = `InvalidCondition: metric ${m.name}: ${field}: ${(err as Error).message}`;
        return { failed: { phase: "Failed", message } };
      }
    }
  }
  return undefined;
}

export async function prepareRun(
  run: AnalysisRun,
  ns: string,
  secret: (namespace: string, name: string, key: string) => Promise<string>,
): Promise<Failed | Prepared> {
  const invalid = conditionFailure(run);
  if (invalid) return invalid;
  const secrets = new Set<string>();
  const secretArgs: Record<string, SecretRef> = {};
  const args: Record<string, string> = {};
  try {
    for (const a of run.spec.args ?? []) {
      if (a.value !== undefined) args[a.name] = a.value;
      else if (a.valueFrom?.secretKeyRef) {
        const ref = a.valueFrom.secretKeyRef;
        const v = await secret(ns, ref.name, ref.key);
        secrets.add(v);
        args[a.name] = v;
        secretArgs[a.name] = { name: ref.name, key: ref.key };
      }
    }
  } catch (err) {
    return { failed: { phase: "Error", message: `args: ${(err as Error).message}` } };
  }
  // Anything below that does not hold ends the run Error before it measures, naming the field.
  try {
    const metrics = run.spec.metrics.map((m) => resolveMetric(m, args));
    const invalid = conditionFailure({ ...run, spec: { ...run.spec, metrics } }, true);
    if (invalid)
      return { failed: { ...invalid.failed, message: redact(invalid.failed.message ?? "", secrets) } };
    const names = metrics.map((m) => m.name);
    const dryRun = new Set(matchRules("dryRun", run.spec.dryRun ?? [], names).keys());
    const retention = matchRules("measurementRetention", run.spec.measurementRetention ?? [], names);
    const retain = new Map([...retention].map(([name, r]) => [name, r.limit]));
    for (const [i, m] of metrics.entries()) {
      if (m.provider.job)
        fillJob(m.provider.job, `metric "${m.name}": spec.metrics[${i}].provider.job`, args, secretArgs);
    }
    return { args, secrets, secretArgs, metrics, dryRun, retain };
  } catch (err) {
    return { failed: { phase: "Error", message: redact((err as Error).message, secrets) } };
  }
}
