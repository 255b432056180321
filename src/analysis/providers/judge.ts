// The judge provider: each judged metric's query asked over the window for the canary and for the stable
// version (a range query each), the samples compared (src/analysis/judge/), the score made the phase.
import type { RunPhase } from "../../api/index.ts";
import { type Judgement, judge, judgementText, judgementValue, judgeSettings } from "../judge/judgement.ts";
import { promqlEscape, substitute } from "./args.ts";
import { type Resolve, resolveAll } from "./guarded-http.ts";
import { asError, prometheusDriver } from "./prometheus-client.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";
import { type WebPolicy, webPolicy } from "./web-policy.ts";

/** One version as a query sees it. */
export type Version = { hash: string; role: "canary" | "stable" };

/** A judged query for one version: the version placeholders first, then {{args.NAME}} as everywhere. */
export function versionQuery(query: string, v: Version, args: Record<string, string>): string {
  const own = query.replaceAll("{{version.hash}}", v.hash).replaceAll("{{version.role}}", v.role);
  return substitute(own, args, promqlEscape);
}

const PHASE: Record<Judgement["score"]["verdict"], RunPhase> = {
  Pass: "Successful",
  Marginal: "Inconclusive",
  Fail: "Failed",
  NoData: "Inconclusive",
};

export const judgeProvider = (
  policy: WebPolicy = webPolicy({}),
  resolve: Resolve = resolveAll,
  now: () => number = Date.now,
): MetricProvider => ({
  async measure(ctx: MeasureContext): Promise<Outcome> {
    const cfg = ctx.metric.provider.judge;
    if (!cfg) throw new Error("not a judge metric");
    const path = `spec.metrics[${ctx.metricIndex}].provider.judge`;
    const settings = judgeSettings(cfg, path);
    const canary = ctx.args["canary-hash"];
    const stable = ctx.args["stable-hash"];
    if (!canary)
      throw new Error(
        `${path}: the run has no canary-hash arg; a judge metric runs in a Rollout's analysis, which passes it`,
      );
    if (!stable)
      throw new Error(
        `${path}: there is no stable version to compare the canary with (the run has no stable-hash arg)`,
      );
    const driver = await prometheusDriver(cfg.prometheus, ctx, `${path}.prometheus`, policy, resolve);
    const end = now();
    // Never before the run started: both versions are sampled over the same stretch of time.
    const start = Math.min(Math.max(end - settings.windowMs, ctx.runStartedAt ?? 0), end - settings.stepMs);
    const values = async (query: string, v: Version): Promise<number[]> => {
      const result = await driver
        .rangeQuery(versionQuery(query, v, ctx.args), new Date(start), new Date(end), settings.stepMs / 1000)
        .catch((err: unknown) => {
          throw asError(err);
        });
      if (result.resultType !== "matrix")
        throw new Error(`${path}: prometheus returned a ${result.resultType} to a range query`);
      return (result.result as { values: { value: number }[] }[]).flatMap((s) =>
        s.values.map((x) => x.value),
      );
    };
    const samples = await Promise.all(
      settings.metrics.map(async (m) => {
        const [c, s] = await Promise.all([
          values(m.query, { hash: canary, role: "canary" }),
          values(m.query, { hash: stable, role: "stable" }),
        ]);
        return { canary: c, baseline: s };
      }),
    );
    const j = judge(settings, samples, "stable");
    const message = judgementText(j, settings.thresholds);
    const value = JSON.stringify(judgementValue(j));
    if (j.score.verdict !== "NoData") return { kind: "phase", phase: PHASE[j.score.verdict], message, value };
    // Too few samples is no data, decided by the metric's policy as for any other provider; never a pass.
    const policyName = ctx.metric.noData ?? "inconclusive";
    const withPolicy = `${message}\nnoData policy ${policyName}`;
    if (policyName === "fail") return { kind: "phase", phase: "Failed", message: withPolicy, value };
    return {
      kind: "phase",
      phase: "Inconclusive",
      message: withPolicy,
      value,
      ...(policyName === "ignore" ? { metadata: { noData: "ignored" } } : {}),
    };
  },
});
