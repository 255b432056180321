// The dashboard's data: ramp's own Informers (the same watch cache as the controller) for Rollouts, their
// ReplicaSets and AnalysisRuns, and change notifications that drive the streams; nothing is polled.
import type { KubernetesObject } from "@kubernetes/client-node";
import { GROUP, VERSION } from "../../api/index.ts";
import { ROLLOUT_LABEL } from "../../api/labels.ts";
import type { Clients } from "../../kube/client.ts";
import { Informer, objectKey } from "../../kube/informer.ts";
import type { Logger } from "../../observability/log.ts";
import type { RolloutSummary } from "../contract.ts";
import type { RawAnalysisRun, RawReplicaSet, RawRollout } from "../model/raw.ts";
import { rolloutSummary } from "../model/summary.ts";

export type SummaryChange =
  | { type: "upsert"; rollout: RolloutSummary }
  | { type: "delete"; namespace: string; name: string };

const BY_ROLLOUT = "rollout";

// The owning Rollout's key of a ReplicaSet or AnalysisRun, from ramp's label.
const ownerKey = (o: { metadata?: { namespace?: string; labels?: Record<string, string> } }) => {
  const name = o.metadata?.labels?.[ROLLOUT_LABEL];
  return name ? [`${o.metadata?.namespace ?? ""}/${name}`] : [];
};

export class RolloutStore {
  readonly rollouts: Informer;
  readonly replicaSets: Informer;
  readonly analysisRuns: Informer;
  readonly #summaries = new Map<string, { summary: RolloutSummary; json: string }>();
  readonly #summaryListeners = new Set<(c: SummaryChange) => void>();
  readonly #touchListeners = new Set<(key: string) => void>();

  constructor(clients: Clients, opts: { namespace?: string | undefined; log: Logger }) {
    const ns = opts.namespace ? `/namespaces/${opts.namespace}` : "";
    const common = { source: clients, log: opts.log };
    this.rollouts = new Informer({ ...common, path: `/apis/${GROUP}/${VERSION}${ns}/rollouts` });
    this.replicaSets = new Informer({
      ...common,
      path: `/apis/apps/v1${ns}/replicasets`,
      labelSelector: ROLLOUT_LABEL,
    });
    this.analysisRuns = new Informer({ ...common, path: `/apis/${GROUP}/${VERSION}${ns}/analysisruns` });
    this.replicaSets.addIndex(BY_ROLLOUT, ownerKey);
    this.analysisRuns.addIndex(BY_ROLLOUT, ownerKey);

    const rolloutChanged = (obj: KubernetesObject) => this.#refresh(objectKey(obj));
    this.rollouts.on("add", rolloutChanged);
    this.rollouts.on("update", (_, obj) => rolloutChanged(obj));
    this.rollouts.on("delete", rolloutChanged);
    for (const inf of [this.replicaSets, this.analysisRuns]) {
      const owned = (obj: object) => {
        for (const key of ownerKey(obj)) this.#refresh(key);
      };
      inf.on("add", owned);
      inf.on("update", (_, obj) => owned(obj));
      inf.on("delete", owned);
    }
  }

  /** Resolves once all three caches hold their first LIST; throws naming the ones that could not list in time. */
  async start(timeoutMs = 30_000): Promise<void> {
    const informers = {
      rollouts: this.rollouts,
      replicasets: this.replicaSets,
      analysisruns: this.analysisRuns,
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const missing = Object.entries(informers)
          .filter(([, inf]) => !inf.hasSynced())
          .map(([n]) => n);
        reject(
          new Error(
            `could not list ${missing.join(", ")} within ${timeoutMs / 1000} s: is ramp installed, and may these ` +
              'credentials list them? (the log\'s "watch failed" lines say why)',
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([Promise.all(Object.values(informers).map((inf) => inf.start())), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.rollouts.stop(), this.replicaSets.stop(), this.analysisRuns.stop()]);
  }

  summaries(): RolloutSummary[] {
    return [...this.#summaries.values()].map((s) => s.summary);
  }

  rollout(namespace: string, name: string): RawRollout | undefined {
    return this.rollouts.get(`${namespace}/${name}`) as unknown as RawRollout | undefined;
  }

  replicaSetsOf(namespace: string, name: string): RawReplicaSet[] {
    return this.replicaSets.byIndex(BY_ROLLOUT, `${namespace}/${name}`) as unknown as RawReplicaSet[];
  }

  analysisRunsOf(namespace: string, name: string): RawAnalysisRun[] {
    return this.analysisRuns.byIndex(BY_ROLLOUT, `${namespace}/${name}`) as unknown as RawAnalysisRun[];
  }

  /** Overview rows that changed (only real changes: a ReplicaSet's pod count alone does not count). */
  onSummary(fn: (c: SummaryChange) => void): () => void {
    this.#summaryListeners.add(fn);
    return () => this.#summaryListeners.delete(fn);
  }

  /** Anything of one Rollout changed (itself, a ReplicaSet, an AnalysisRun): its detail may differ. */
  onTouched(fn: (key: string) => void): () => void {
    this.#touchListeners.add(fn);
    return () => this.#touchListeners.delete(fn);
  }

  #refresh(key: string): void {
    const r = this.rollouts.get(key) as unknown as RawRollout | undefined;
    const [namespace = "", name = ""] = key.split("/");
    if (!r) {
      if (this.#summaries.delete(key)) this.#emit({ type: "delete", namespace, name });
    } else {
      const summary = rolloutSummary(r, this.replicaSetsOf(namespace, name));
      const json = JSON.stringify(summary);
      if (this.#summaries.get(key)?.json !== json) {
        this.#summaries.set(key, { summary, json });
        this.#emit({ type: "upsert", rollout: summary });
      }
    }
    for (const fn of this.#touchListeners) fn(key);
  }

  #emit(change: SummaryChange): void {
    for (const fn of this.#summaryListeners) fn(change);
  }
}
