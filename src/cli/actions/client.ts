// The requests user actions need: read a Rollout and merge-patch its status subresource (intent), or
// patch its spec and list its ReplicaSets (restart, set image, undo).
import type { KubeConfig, V1ReplicaSet } from "@kubernetes/client-node";
import { GROUP, VERSION } from "../../api/index.ts";
import { ROLLOUT_LABEL } from "../../api/labels.ts";
import type { KubeApi } from "../api.ts";
import { k8s } from "../k8s.ts";

export type RolloutRef = { namespace: string; name: string };

export interface RolloutClient {
  get(ref: RolloutRef): Promise<unknown>;
  patchStatus(ref: RolloutRef, patch: object): Promise<unknown>;
  /** Who is asking, for the record (the kubeconfig user). */
  readonly user: string;
}

const rolloutPath = (ref: RolloutRef) =>
  `/apis/${GROUP}/${VERSION}/namespaces/${ref.namespace}/rollouts/${encodeURIComponent(ref.name)}`;

/** The plugin's: raw requests through the KubeApi (api.ts), without client-node when it can. */
export function rolloutClientOf(api: KubeApi): RolloutClient {
  return {
    get: (ref) => api.request("GET", rolloutPath(ref)),
    patchStatus: (ref, body) =>
      api.request("PATCH", `${rolloutPath(ref)}/status`, body, "application/merge-patch+json"),
    user: api.user ?? process.env.USER ?? "unknown",
  };
}

/** The same over client-node's generated client, for callers that hold a KubeConfig (test fixtures). */
export function rolloutClient(kc: KubeConfig): RolloutClient {
  const api = kc.makeApiClient(k8s().CustomObjectsApi);
  const at = (ref: RolloutRef) => ({ group: GROUP, version: VERSION, plural: "rollouts", ...ref });
  return {
    get: (ref) => api.getNamespacedCustomObject(at(ref)),
    patchStatus: (ref, body) =>
      api.patchNamespacedCustomObjectStatus(
        { ...at(ref), body },
        k8s().setHeaderOptions("Content-Type", k8s().PatchStrategy.MergePatch),
      ),
    user: kc.getCurrentUser()?.name ?? process.env.USER ?? "unknown",
  };
}

/** What the spec-changing actions (restart, set image, undo) need: read, patch spec, list versions. */
export interface SpecClient {
  get(ref: RolloutRef): Promise<unknown>;
  /** A JSON merge patch (`merge`) or a JSON patch (`json`, an array of operations) of the Rollout. */
  patch(ref: RolloutRef, patch: object, type: "merge" | "json"): Promise<unknown>;
  /** The ReplicaSets labelled as the Rollout's (its versions), as the apiserver has them. */
  replicaSets(ref: RolloutRef): Promise<V1ReplicaSet[]>;
}

export function specClientOf(api: KubeApi): SpecClient {
  return {
    get: (ref) => api.request("GET", rolloutPath(ref)),
    patch: (ref, body, type) =>
      api.request(
        "PATCH",
        rolloutPath(ref),
        body,
        type === "json" ? "application/json-patch+json" : "application/merge-patch+json",
      ),
    replicaSets: async (ref) => {
      const selector = new URLSearchParams({ labelSelector: `${ROLLOUT_LABEL}=${ref.name}` });
      const list = await api.request<{ items?: V1ReplicaSet[] }>(
        "GET",
        `/apis/apps/v1/namespaces/${ref.namespace}/replicasets?${selector.toString()}`,
      );
      return list.items ?? [];
    },
  };
}

export function specClient(kc: KubeConfig): SpecClient {
  const api = kc.makeApiClient(k8s().CustomObjectsApi);
  const at = (ref: RolloutRef) => ({ group: GROUP, version: VERSION, plural: "rollouts", ...ref });
  return {
    get: (ref) => api.getNamespacedCustomObject(at(ref)),
    patch: (ref, body, type) =>
      api.patchNamespacedCustomObject(
        { ...at(ref), body },
        k8s().setHeaderOptions(
          "Content-Type",
          type === "json" ? k8s().PatchStrategy.JsonPatch : k8s().PatchStrategy.MergePatch,
        ),
      ),
    // Raw JSON (the generated AppsV1Api would turn the pod template into typed objects): undo hashes it.
    replicaSets: async (ref) => {
      const list = (await api.listNamespacedCustomObject({
        group: "apps",
        version: "v1",
        plural: "replicasets",
        namespace: ref.namespace,
        labelSelector: `${ROLLOUT_LABEL}=${ref.name}`,
      })) as { items?: V1ReplicaSet[] };
      return list.items ?? [];
    },
  };
}
