// Picks the provider of a metric. Shared code never branches on a provider's name beyond this table.
import type { Metric } from "../../api/index.ts";
import { type JobApi, jobProvider } from "./job.ts";
import type { MetricProvider } from "./provider.ts";
import type { WebPolicy } from "./web-policy.ts";

/** `web`: where web and prometheus metrics may connect; defaults to the built-in deny entries alone. */
export type ProviderDeps = { jobs: JobApi; web?: WebPolicy | undefined };

/**
 * A provider whose module (and its HTTP client, axios and prometheus-query) loads with its first
 * measurement: a controller that never runs that kind of metric never holds them (docs/adr/0017).
 */
const lazy = (load: () => Promise<MetricProvider>): MetricProvider => ({
  measure: async (ctx) => (await load()).measure(ctx),
});

export function providerFor(metric: Metric, deps: ProviderDeps): MetricProvider {
  if (metric.provider.prometheus)
    return lazy(async () => (await import("./prometheus.ts")).prometheusProvider(deps.web));
  if (metric.provider.web) return lazy(async () => (await import("./web.ts")).webProvider(deps.web));
  if (metric.provider.job) return jobProvider(deps.jobs);
  if (metric.provider.judge) return lazy(async () => (await import("./judge.ts")).judgeProvider(deps.web));
  if (metric.provider.datadog)
    return lazy(async () => (await import("./datadog.ts")).datadogProvider(deps.web));
  if (metric.provider.newRelic)
    return lazy(async () => (await import("./newrelic.ts")).newRelicProvider(deps.web));
  if (metric.provider.cloudWatch)
    return lazy(async () => (await import("./cloudwatch.ts")).cloudWatchProvider(deps.web));
  if (metric.provider.graphite)
    return lazy(async () => (await import("./graphite.ts")).graphiteProvider(deps.web));
  throw new Error(
    `metric ${metric.name}: no provider set (prometheus, web, job, judge, datadog, newRelic, cloudWatch or graphite)`,
  );
}
