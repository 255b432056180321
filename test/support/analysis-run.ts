// The AnalysisRun reconciler over one run held in memory: status patches merged as the apiserver does,
// Secrets from a map, Jobs recorded, and a clock the test moves.
import type { V1Job } from "@kubernetes/client-node";
import pino from "pino";
import type { ConditionEvaluator } from "../../src/analysis/conditions.ts";
import { AnalysisRunReconciler } from "../../src/analysis/run.ts";
import type { AnalysisRun } from "../../src/api/index.ts";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
/** RFC 7386 merge patch: what the apiserver does with the reconciler's status patches. */
export function merge(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = isObj(v) && isObj(out[k]) ? merge(out[k] as Json, v) : v;
  }
  return out;
}

/** Args as `{ name: value }`; a value "secret:KEY" becomes a secretKeyRef to key KEY of Secret "s". */
export const runArgs = (args: Record<string, string>) =>
  Object.entries(args).map(([name, value]) =>
    value.startsWith("secret:")
      ? { name, valueFrom: { secretKeyRef: { name: "s", key: value.slice(7) } } }
      : { name, value },
  );

export function runHarness(
  spec: Json,
  opts: { evaluator: ConditionEvaluator; secrets?: Record<string, string> },
) {
  let obj: Json = {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "AnalysisRun",
    metadata: { name: "r", namespace: "ns", resourceVersion: "1", uid: "u" },
    spec,
  };
  const jobs: V1Job[] = [];
  const clock = { now: Date.parse("2030-01-01T00:00:00Z") };
  const reconciler = new AnalysisRunReconciler({
    run: () => obj,
    async patchStatus(_ns, _name, _rv, status) {
      obj = merge(obj, { status });
    },
    async secret(_ns, _name, key) {
      const v = opts.secrets?.[key];
      if (v === undefined) throw new Error(`no key ${key}`);
      return v;
    },
    providers: {
      jobs: {
        create: async (_ns, job) => {
          jobs.push(job);
        },
        get: () => undefined,
      },
    },
    evaluator: opts.evaluator,
    log: pino({ level: "silent" }),
    now: () => clock.now,
  });
  return {
    clock,
    jobs,
    reconcile: () => reconciler.reconcile("ns/r"),
    status: () => (obj as unknown as AnalysisRun).status,
  };
}
