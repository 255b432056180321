// The prometheus provider: an instant query through prometheus-query; a vector becomes a list, a scalar a number.
import { promqlEscape, substitute } from "./args.ts";
import { type Resolve, resolveAll } from "./guarded-http.ts";
import { asError, prometheusDriver, type Sample } from "./prometheus-client.ts";
import type { MeasureContext, MetricProvider, Outcome } from "./provider.ts";
import { type WebPolicy, webPolicy } from "./web-policy.ts";

export const prometheusProvider = (
  policy: WebPolicy = webPolicy({}),
  resolve: Resolve = resolveAll,
): MetricProvider => ({
  async measure(ctx: MeasureContext): Promise<Outcome> {
    const cfg = ctx.metric.provider.prometheus;
    if (!cfg) throw new Error("not a prometheus metric");
    const driver = await prometheusDriver(
      cfg,
      ctx,
      `spec.metrics[${ctx.metricIndex}].provider.prometheus`,
      policy,
      resolve,
    );
    const query = substitute(cfg.query, ctx.args, promqlEscape);
    const result = await driver.instantQuery(query).catch((err: unknown) => {
      throw asError(err);
    });
    if (result.resultType === "vector") {
      const values = (result.result as { value: { value: number } }[]).map((v) => v.value.value);
      return { kind: "value", value: values };
    }
    if (result.resultType === "scalar")
      return { kind: "value", value: Number.parseFloat(String((result.result as Sample)[1])) };
    throw new Error(
      `prometheus returned a ${result.resultType}; use an instant query that returns a vector or scalar`,
    );
  },
});
