// Picks the provider of a metric. Shared code never branches on a provider's name beyond this table.
import type { Metric } from "../../api/index.ts";
import { type JobApi, jobProvider } from "./job.ts";
import { prometheusProvider } from "./prometheus.ts";
import type { MetricProvider } from "./provider.ts";
import { webProvider } from "./web.ts";
import type { WebPolicy } from "./web-policy.ts";

/** `web`: where web and prometheus metrics may connect; defaults to the built-in deny entries alone. */
export type ProviderDeps = { jobs: JobApi; web?: WebPolicy | undefined };

export function providerFor(metric: Metric, deps: ProviderDeps): MetricProvider {
  if (metric.provider.prometheus) return prometheusProvider(deps.web);
  if (metric.provider.web) return webProvider(deps.web);
  if (metric.provider.job) return jobProvider(deps.jobs);
  throw new Error(`metric ${metric.name}: no provider set (prometheus, web or job)`);
}
