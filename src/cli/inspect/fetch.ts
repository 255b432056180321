// The reads behind `get rollout` and `list rollouts`: a Rollout with its ReplicaSets, pods and
// AnalysisRuns, or every Rollout of a namespace (or all namespaces).
import type { KubeConfig, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { GROUP, LabelSelector, VERSION } from "../../api/index.ts";
import { ROLLOUT_LABEL } from "../../api/labels.ts";
import { selectorString } from "../../kube/selector.ts";
import type { RolloutRef } from "../actions/client.ts";
import { k8s } from "../k8s.ts";
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
  if (err instanceof k8s().ApiException && err.code === 404) return { items: [] };
  throw err;
};

export interface TreeReader {
  rolloutTree(ref: RolloutRef): Promise<RolloutTree>;
  /** The Rollouts in `namespace` (all namespaces when undefined) that match `labelSelector`. */
  rollouts(namespace: string | undefined, labelSelector?: string): Promise<RolloutList>;
  /** One page of `kind` in `namespace`, with its resourceVersion (to watch from). */
  list(kind: TreeKind, namespace: string, query: Selectors): Promise<RolloutList>;
}

export function treeReader(kc: KubeConfig): TreeReader {
  const custom = kc.makeApiClient(k8s().CustomObjectsApi);
  const core = kc.makeApiClient(k8s().CoreV1Api);
  const ramp = { group: GROUP, version: VERSION };
  return {
    async rolloutTree(ref) {
      const rollout = (await custom.getNamespacedCustomObject({ ...ramp, plural: "rollouts", ...ref })) as {
        metadata?: { uid?: string };
        spec?: { selector?: unknown };
      };
      const uid = rollout.metadata?.uid;
      const byRollout = `${ROLLOUT_LABEL}=${ref.name}`;
      const selector = LabelSelector.safeParse(rollout.spec?.selector);
      const [rs, pods, runs] = await Promise.all([
        custom.listNamespacedCustomObject({
          group: "apps",
          version: "v1",
          plural: "replicasets",
          namespace: ref.namespace,
          labelSelector: byRollout,
        }) as Promise<Listed>,
        selector.success && selectorString(selector.data) !== ""
          ? core.listNamespacedPod({ namespace: ref.namespace, labelSelector: selectorString(selector.data) })
          : Promise.resolve({ items: [] as V1Pod[] }),
        (
          custom.listNamespacedCustomObject({
            ...ramp,
            plural: "analysisruns",
            namespace: ref.namespace,
            labelSelector: byRollout,
          }) as Promise<Listed>
        ).catch(emptyIf404),
      ]);
      const replicaSets = ((rs.items ?? []) as V1ReplicaSet[]).filter(ownedBy(uid));
      const rsUids = new Set(replicaSets.map((r) => r.metadata?.uid));
      return {
        rollout,
        replicaSets,
        pods: pods.items.filter((p) => p.metadata?.ownerReferences?.some((o) => rsUids.has(o.uid))),
        // Labelled as the Rollout's and not owned by another object (a recreated Rollout of the same name).
        analysisRuns: ((runs.items ?? []) as Owned[]).filter(
          (o) => !uid || (o.metadata?.ownerReferences ?? []).every((r) => r.uid === uid),
        ),
      };
    },
    async list(kind, namespace, query) {
      if (kind === "pods") return (await core.listNamespacedPod({ namespace, ...query })) as RolloutList;
      const { group, version } = TREE_KINDS[kind];
      return (await custom.listNamespacedCustomObject({
        group,
        version,
        plural: kind,
        namespace,
        ...query,
      })) as RolloutList;
    },
    async rollouts(namespace, labelSelector) {
      const selector = labelSelector ? { labelSelector } : {};
      return (
        namespace === undefined
          ? await custom.listClusterCustomObject({ ...ramp, plural: "rollouts", ...selector })
          : await custom.listNamespacedCustomObject({ ...ramp, plural: "rollouts", namespace, ...selector })
      ) as RolloutList;
    },
  };
}
