// `kubectl ramp plan NAME`: the controller's own plan function run against the live objects, its answer as
// the writes it would make next, and a dry run of the analysis the current step runs.
import type { KubeConfig } from "@kubernetes/client-node";
import { type AnalysisRun, GROUP, Rollout, VERSION } from "../../api/index.ts";
import { buildContext, type RolloutContext } from "../../core/context.ts";
import type { RolloutPlan } from "../../core/plan.ts";
import type { Caches } from "../../core/ports.ts";
import { RampError } from "../../errors.ts";
import { planRollout } from "../../reconcile/plan.ts";
import { restartSelector } from "../../strategy/shared/restart.ts";
import type { RolloutRef } from "../actions/client.ts";
import { k8s } from "../k8s.ts";
import { type DryRun, dryRunAnalysis } from "./dry-run.ts";
import { liveCaches } from "./live-world.ts";
import { type PlanView, planView } from "./plan-view.ts";

export type LivePlan =
  | { ok: true; plan: PlanView; analysis: DryRun[] }
  | { ok: false; rollout: string; reason: string; message: string };

/** The runs the next step has: those the plan creates, and those in flight that it keeps. */
function runsOf(plan: RolloutPlan, caches: Caches, ctx: RolloutContext): AnalysisRun[] {
  const s = plan.outcome.status;
  const names = [
    s.canary?.currentStepAnalysisRun,
    s.canary?.currentBackgroundAnalysisRun,
    s.blueGreen?.prePromotionAnalysisRun,
    s.blueGreen?.postPromotionAnalysisRun,
  ].filter((n): n is string => typeof n === "string");
  const live = caches.analysisRunsOf(ctx.key).filter((r) => names.includes(r.metadata.name));
  return [
    ...plan.analysis.create,
    ...live.filter((r) => !plan.analysis.create.some((c) => c.metadata.name === r.metadata.name)),
  ];
}

export async function livePlan(
  kc: KubeConfig,
  ref: RolloutRef,
  opts: { analysis: boolean; prometheusUrl?: string | undefined; now?: number },
): Promise<LivePlan> {
  const custom = kc.makeApiClient(k8s().CustomObjectsApi);
  const core = kc.makeApiClient(k8s().CoreV1Api);
  const raw = await custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: "rollouts",
    ...ref,
  });
  const key = `${ref.namespace}/${ref.name}`;
  const parsed = Rollout.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      rollout: key,
      reason: "InvalidSpec",
      message: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    };
  const caches = await liveCaches(kc, ref, parsed.data);
  const now = opts.now ?? Date.now();
  let ctx: RolloutContext;
  let plan: RolloutPlan;
  let listed = false;
  try {
    ctx = buildContext(key, parsed.data, { caches, now: () => now });
    plan = planRollout(ctx, caches);
    const selector = plan.needsPods ? restartSelector(ctx) : undefined;
    if (selector) {
      const pods = await core.listNamespacedPod({ namespace: ref.namespace, labelSelector: selector });
      plan = planRollout(ctx, caches, pods.items);
      listed = true;
    }
  } catch (err) {
    if (!(err instanceof RampError)) throw err;
    return { ok: false, rollout: key, reason: err.code, message: err.message };
  }
  const secret = async (name: string, k: string) => {
    const s = await core.readNamespacedSecret({ name, namespace: ref.namespace });
    const v = s.data?.[k];
    if (v === undefined) throw new Error(`Secret "${name}" has no key "${k}"`);
    return Buffer.from(v, "base64").toString("utf8");
  };
  const analysis = opts.analysis
    ? await dryRunAnalysis(runsOf(plan, caches, ctx), { secret, prometheusUrl: opts.prometheusUrl })
    : [];
  return { ok: true, plan: planView(ctx, plan, listed), analysis };
}
