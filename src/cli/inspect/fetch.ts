// The reads behind `get rollout` and `list rollouts`: a Rollout with its ReplicaSets, pods and
// AnalysisRuns, or every Rollout of a namespace (or all namespaces), as raw JSON.
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { GROUP, LabelSelector, VERSION } from "../../api/index.ts";
import { ROLLOUT_LABEL } from "../../api/labels.ts";
import { selectorString } from "../../kube/selector.ts";
import type { RolloutRef } from "../actions/client.ts";
import { type KubeApi, statusOf } from "../api.ts";
import type { RolloutTree } from "./view.ts";

type Listed = { items?: unknown[] };
export type RolloutList = { items?: unknown[]; metadata?: { resourceVersion?: string } };
export type Selectors = { labelSelector?: string; fieldSelector?: string };

/** What a Rollout's tree is made of, and where each is listed and watched. */
export const TREE_KINDS = {
  rollouts: { group: GROUP, version: VERSION, prefix: `/apis/${GROUP}/${VERSION}` },
  replicasets: { group: "apps", version: "v1", prefix: "/apis/apps/v1" },
  pods: { group: "", version: "v1", prefix: "/api/v1" },
  analysisruns: { group: GROUP, version: VERSION, prefix: `/apis/${GROUP}/${VERSION}` },
} as const;
export type TreeKind = keyof typeof TREE_KINDS;

export const treePath = (kind: TreeKind, namespace: string) =>
  `${TREE_KINDS[kind].prefix}/namespaces/${namespace}/${kind}`;
type Owned = { metadata?: { uid?: string; ownerReferences?: { uid?: string; controller?: boolean }[] } };

const ownedBy = (uid: string | undefined) => (o: Owned) =>
  !uid || (o.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && r.controller);

/** A missing resource type (AnalysisRun CRD not installed) lists as empty. */
const emptyIf404 = (err: unknown): Listed => {
  if (statusOf(err) === 404) return { items: [] };
  throw err;
};

export interface TreeReader {
  rolloutTree(ref: RolloutRef): Promise<RolloutTree>;
  /** The Rollouts in `namespace` (all namespaces when undefined) that match `labelSelector`. */
  rollouts(namespace: string | undefined, labelSelector?: string): Promise<RolloutList>;
  /** One page of `kind` in `namespace`, with its resourceVersion (to watch from). */
  list(kind: TreeKind, namespace: string, query: Selectors): Promise<RolloutList>;
}

/** `path` with the query's non-empty values. */
function withQuery(path: string, query: Record<string, string | undefined>): string {
  const q = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "");
  return q.length === 0 ? path : `${path}?${new URLSearchParams(q).toString()}`;
}

export function treeReader(api: KubeApi): TreeReader {
  const get = <T>(path: string, query: Record<string, string | undefined> = {}) =>
    api.request<T>("GET", withQuery(path, query));
  return {
    async rolloutTree(ref) {
      const rollout = await get<{ metadata?: { uid?: string }; spec?: { selector?: unknown } }>(
        `${treePath("rollouts", ref.namespace)}/${encodeURIComponent(ref.name)}`,
      );
      const uid = rollout.metadata?.uid;
      const byRollout = `${ROLLOUT_LABEL}=${ref.name}`;
      const selector = LabelSelector.safeParse(rollout.spec?.selector);
      const podSelector = selector.success ? selectorString(selector.data) : "";
      const [rs, pods, runs] = await Promise.all([
        get<Listed>(treePath("replicasets", ref.namespace), { labelSelector: byRollout }),
        podSelector !== ""
          ? get<{ items?: V1Pod[] }>(treePath("pods", ref.namespace), { labelSelector: podSelector })
          : Promise.resolve({ items: [] as V1Pod[] }),
        get<Listed>(treePath("analysisruns", ref.namespace), { labelSelector: byRollout }).catch(emptyIf404),
      ]);
      const replicaSets = ((rs.items ?? []) as V1ReplicaSet[]).filter(ownedBy(uid));
      const rsUids = new Set(replicaSets.map((r) => r.metadata?.uid));
      return {
        rollout,
        replicaSets,
        pods: (pods.items ?? []).filter((p) => p.metadata?.ownerReferences?.some((o) => rsUids.has(o.uid))),
        // Labelled as the Rollout's and not owned by another object (a recreated Rollout of the same name).
        analysisRuns: ((runs.items ?? []) as Owned[]).filter(
          (o) => !uid || (o.metadata?.ownerReferences ?? []).every((r) => r.uid === uid),
        ),
      };
    },
    list: (kind, namespace, query) => get<RolloutList>(treePath(kind, namespace), query),
    rollouts: (namespace, labelSelector) =>
      get<RolloutList>(
        namespace === undefined ? `${TREE_KINDS.rollouts.prefix}/rollouts` : treePath("rollouts", namespace),
        { labelSelector },
      ),
  };
}
