// The Rollout state series at scale, without a cluster: a fake cache of N Rollouts (two ReplicaSets each),
// then the heap the metrics keep between scrapes, the time one scrape takes and its largest chunk.
// Run: node --expose-gc scripts/bench/metrics-render.ts [rollouts]   (default 10000)
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import type { Condition, RolloutStatus } from "../../src/api/index.ts";
import { HASH_LABEL, ROLLOUT_LABEL } from "../../src/api/labels.ts";
import { RolloutMetrics } from "../../src/observability/rollout-metrics.ts";
import { type RolloutStateSource, rolloutStateCollector } from "../../src/observability/rollout-state.ts";
import { median, round } from "./report.ts";

export type FakeRollout = {
  metadata: { namespace: string; name: string; uid: string };
  spec: Record<string, unknown>;
  status: RolloutStatus;
};

const at = "2026-01-01T00:00:00.000Z";
const condition = (type: string, status: "True" | "False", reason: string): Condition => ({
  type,
  status,
  reason,
  message: `${type} is ${status}: ${reason}`,
  lastTransitionTime: at,
  observedGeneration: 3,
});

/** N Rollouts as the trimmed cache holds them; every tenth is a canary paused at 25%, the others Healthy. */
export function fakeCache(
  n: number,
): RolloutStateSource & { items: FakeRollout[]; rs: Map<string, V1ReplicaSet[]> } {
  const items: FakeRollout[] = [];
  const rs = new Map<string, V1ReplicaSet[]>();
  for (let i = 0; i < n; i++) {
    const namespace = `team-${String(i % 100).padStart(2, "0")}`;
    const name = `app-${String(i).padStart(5, "0")}`;
    const uid = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    const progressing = i % 10 === 0;
    const [stable, current] = [`s${i}`, progressing ? `c${i}` : `s${i}`];
    const status: RolloutStatus = {
      observedGeneration: 3,
      phase: progressing ? "Paused" : "Healthy",
      message: "",
      replicas: progressing ? 5 : 4,
      updatedReplicas: progressing ? 1 : 4,
      readyReplicas: progressing ? 5 : 4,
      availableReplicas: progressing ? 5 : 4,
      selector: `app=${name}`,
      currentPodHash: current,
      stableRS: stable,
      currentStepIndex: progressing ? 1 : 2,
      stepCount: 2,
      canary: progressing ? { weight: 25, stableWeight: 75 } : { weight: 0, stableWeight: 100 },
      conditions: [
        condition("Ready", progressing ? "False" : "True", progressing ? "RollingOut" : "Healthy"),
        condition("Reconciling", progressing ? "True" : "False", progressing ? "RollingOut" : "AsExpected"),
        condition("Stalled", "False", "AsExpected"),
        condition("Progressing", "True", progressing ? "ReplicaSetUpdated" : "NewReplicaSetAvailable"),
        condition("Paused", progressing ? "True" : "False", progressing ? "PausedStep" : "NotPaused"),
        condition("Available", "True", "MinimumReplicasAvailable"),
        condition("Aborted", "False", "NotAborted"),
      ],
    };
    items.push({
      metadata: { namespace, name, uid },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [
              { name: "app", image: `registry.example/${name}:1`, ports: [{ containerPort: 8080 }] },
            ],
          },
        },
        strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }] } },
      },
      status,
    });
    const owned = (hash: string, replicas: number): V1ReplicaSet => ({
      metadata: {
        name: `${name}-${hash}`,
        namespace,
        uid: `${uid}-${hash}`,
        labels: { app: name, [HASH_LABEL]: hash, [ROLLOUT_LABEL]: name },
        annotations: { "ramp.dev/revision": "1" },
        ownerReferences: [{ apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", name, uid, controller: true }],
      },
      spec: { replicas, selector: { matchLabels: { app: name, [HASH_LABEL]: hash } }, minReadySeconds: 0 },
      status: { replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1 },
    });
    // Two ReplicaSets each: stable and canary, or stable and the previous version scaled to zero.
    rs.set(`${namespace}/${name}`, [owned(stable, 4), progressing ? owned(current, 1) : owned(`old${i}`, 0)]);
  }
  return { items, rs, rollouts: { list: () => items }, replicaSetsOf: (key) => rs.get(key) ?? [] };
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapMiB = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** One way to serve the Rollout series: a scrape, and a way to let go of everything it keeps. */
export type Design = { scrape: () => AsyncIterable<string>; drop(): void };

/** Now: the event-like series in prom-client (one reconcile each), the state series rendered per scrape. */
function current(cache: ReturnType<typeof fakeCache>): Design {
  let registry: Registry | undefined = new Registry();
  const metrics = new RolloutMetrics(registry);
  for (const r of cache.items) {
    const key = `${r.metadata.namespace}/${r.metadata.name}`;
    metrics.observe({ key, object: { spec: r.spec, status: {} }, written: r.status });
  }
  const collect = rolloutStateCollector(cache);
  return {
    async *scrape() {
      yield (await registry?.metrics()) ?? "";
      yield* collect();
    },
    drop: () => {
      registry = undefined;
    },
  };
}

/**
 * Heap the design keeps between scrapes (alive minus dropped, both after scrapes), the median time of a
 * scrape, its size, and its chunks: the registry's text first, then the rendered ones.
 */
export async function measure(name: string, make: () => Design, n: number) {
  const design = make();
  const times: number[] = [];
  const out = { bytes: 0, chunks: 0, series: 0, registryKiB: 0, peakChunkKiB: 0 };
  for (let run = 0; run < 6; run++) {
    Object.assign(out, { bytes: 0, chunks: 0, series: 0 });
    const started = performance.now();
    for await (const chunk of design.scrape()) {
      const kib = Buffer.byteLength(chunk) / 1024;
      if (out.chunks === 0) out.registryKiB = kib;
      else out.peakChunkKiB = Math.max(out.peakChunkKiB, kib);
      out.bytes += kib * 1024;
      out.chunks++;
      for (let i = chunk.indexOf("\n"), from = 0; i >= 0; from = i + 1, i = chunk.indexOf("\n", from))
        if (i > from && chunk[from] !== "#") out.series++;
    }
    times.push(performance.now() - started);
  }
  times.shift(); // the first scrape warms the JIT
  const alive = heapMiB();
  design.drop();
  const retained = alive - heapMiB();
  return {
    design: name,
    rollouts: n,
    series: out.series,
    retainedMiB: round(retained),
    scrapeMs: round(median(times)),
    scrapeMiB: round(out.bytes / 2 ** 20),
    chunks: out.chunks,
    registryChunkKiB: round(out.registryKiB),
    peakRenderedChunkKiB: round(out.peakChunkKiB),
  };
}

async function main(n: number): Promise<void> {
  if (!gc) console.error("run with --expose-gc for heap figures");
  const cache = fakeCache(n);
  console.log(JSON.stringify(await measure("rendered from the cache", () => current(cache), n)));
}

if (import.meta.main) await main(Number(process.argv[2] ?? 10_000));
