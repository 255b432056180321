// `convert --from-cluster`: the Argo Rollouts objects the apiserver has (Rollouts and AnalysisTemplates of a
// namespace or of all, and every ClusterAnalysisTemplate, which any Rollout may name), read as they are.
import type { KubeConfig } from "@kubernetes/client-node";
import { k8s } from "../k8s.ts";
import { objectSource } from "./source.ts";
import type { SourceDoc } from "./types.ts";

const ARGO = { group: "argoproj.io", version: "v1alpha1" };

type Listed = { items?: Record<string, unknown>[] };

export interface ArgoReader {
  /** Every Argo object to convert, in `namespace` or in all namespaces when it is undefined. */
  read(namespace: string | undefined): Promise<SourceDoc[]>;
}

/** An Argo Rollouts CRD that is not installed lists as empty; the caller says when nothing was found. */
const emptyIf404 = (err: unknown): Listed => {
  if (err instanceof k8s().ApiException && err.code === 404) return { items: [] };
  throw err;
};

const byName = (a: Record<string, unknown>, b: Record<string, unknown>) => {
  const key = (o: Record<string, unknown>) => {
    const m = (o.metadata ?? {}) as { namespace?: string; name?: string };
    return `${m.namespace ?? ""}/${m.name ?? ""}`;
  };
  return key(a).localeCompare(key(b));
};

export function argoReader(kc: KubeConfig): ArgoReader {
  const api = kc.makeApiClient(k8s().CustomObjectsApi);
  const list = async (plural: string, kind: string, namespace: string | undefined, cluster = false) => {
    const res = (await (cluster || namespace === undefined
      ? api.listClusterCustomObject({ ...ARGO, plural })
      : api.listNamespacedCustomObject({ ...ARGO, plural, namespace })
    ).catch(emptyIf404)) as Listed;
    // A list's items may omit apiVersion and kind; the converter dispatches on them.
    return (res.items ?? [])
      .map((o) => ({ apiVersion: `${ARGO.group}/${ARGO.version}`, kind, ...o }))
      .sort(byName);
  };
  return {
    async read(namespace) {
      const [cats, ats, rollouts] = await Promise.all([
        list("clusteranalysistemplates", "ClusterAnalysisTemplate", undefined, true),
        list("analysistemplates", "AnalysisTemplate", namespace),
        list("rollouts", "Rollout", namespace),
      ]);
      return [...cats, ...ats, ...rollouts].map((o) => objectSource(o));
    },
  };
}
