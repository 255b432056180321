// The benchmark's objects: a namespace of N canary Rollouts (no Services or routers: the figures are the
// controller's own), a failing Prometheus AnalysisTemplate, and the patches that ship each pass.
import type { KubeConfig } from "@kubernetes/client-node";
import { type Clients, makeClients } from "../../src/kube/client.ts";
import { createMetrics } from "../../src/observability/metrics.ts";
import type { BenchOptions, BenchStep } from "./options.ts";

export const ROLLOUTS = "/apis/ramp.dev/v1alpha1";
export const nameOf = (i: number): string => `r${String(i).padStart(5, "0")}`;
const FAIL_TEMPLATE = "bench-always-fails";

/** API clients on one reused connection pool (client-node alone opens a TLS connection per request). */
export function benchClients(kc: KubeConfig): Clients {
  return makeClients(kc, createMetrics({ defaultMetrics: false }), { userAgent: "ramp-bench" });
}

/** Runs `fn` on every item with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One bench Rollout as ramp's API takes it; peer/argo-workload.ts renders the same object for Argo's. */
export function rollout(name: string, opts: BenchOptions) {
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name, labels: { "ramp.dev/bench": "true" } },
    spec: {
      replicas: opts.replicas,
      ...(opts.history === undefined ? {} : { revisionHistoryLimit: opts.history }),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "app", image: "app:1" }] },
      },
      strategy: { canary: { maxSurge: 1, maxUnavailable: 0, steps: opts.steps } },
    },
  };
}

/** An analysis that always fails on a real Prometheus: vector(1) meets `result[0] > 0`. */
export function failingTemplate(prometheusUrl: string) {
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: FAIL_TEMPLATE },
    spec: {
      metrics: [
        {
          name: "always-fails",
          count: 1,
          failureCondition: "result[0] > 0",
          provider: { prometheus: { address: prometheusUrl, query: "vector(1)" } },
        },
      ],
    },
  };
}

export async function createNamespace(clients: Clients, namespace: string): Promise<void> {
  await clients.request("POST", "/api/v1/namespaces", {
    metadata: { name: namespace, labels: { "ramp.dev/bench": "true", "ramp.dev/test": "bench" } },
  });
}

/** Creates the bench's Rollouts; the peer bench passes Argo's API path and its rendering of `rollout`. */
export async function createRollouts(
  clients: Clients,
  namespace: string,
  opts: BenchOptions,
  api: { base: string; render: (name: string, opts: BenchOptions) => object } = {
    base: ROLLOUTS,
    render: rollout,
  },
): Promise<void> {
  const names = Array.from({ length: opts.rollouts }, (_, i) => nameOf(i));
  await pool(names, 32, async (name) => {
    await clients.request("POST", `${api.base}/namespaces/${namespace}/rollouts`, api.render(name, opts));
  });
}

export async function createFailingTemplate(
  clients: Clients,
  namespace: string,
  prometheusUrl: string,
  api: { base: string; render: (o: object) => object } = { base: ROLLOUTS, render: (o) => o },
) {
  await clients.request(
    "POST",
    `${api.base}/namespaces/${namespace}/analysistemplates`,
    api.render(failingTemplate(prometheusUrl)),
  );
}

/** The merge patch of one pass: a new image, and for the rollback pass an analysis after the first weight. */
export function passPatch(image: string, steps: BenchStep[] | undefined): Record<string, unknown> {
  return {
    spec: {
      template: { spec: { containers: [{ name: "app", image }] } },
      ...(steps ? { strategy: { canary: { steps } } } : {}),
    },
  };
}

/** The steps with a failing analysis right after the first weight. */
export function failingSteps(steps: BenchStep[]): unknown[] {
  const first = steps.findIndex((s) => "setWeight" in s);
  return [
    ...steps.slice(0, first + 1),
    { analysis: { templates: [{ templateName: FAIL_TEMPLATE }] } },
    ...steps.slice(first + 1),
  ];
}

export async function patchRollout(
  clients: Clients,
  namespace: string,
  name: string,
  patch: Record<string, unknown>,
  base = ROLLOUTS,
): Promise<number> {
  const out = await clients.request<{ metadata?: { generation?: number } }>(
    "PATCH",
    `${base}/namespaces/${namespace}/rollouts/${name}`,
    patch,
    "application/merge-patch+json",
  );
  return out?.metadata?.generation ?? 0;
}
