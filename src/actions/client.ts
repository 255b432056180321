// The two requests user actions need: read a Rollout, and merge-patch its status subresource.
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, VERSION } from "../api/index.ts";

export type RolloutRef = { namespace: string; name: string };

export interface RolloutClient {
  get(ref: RolloutRef): Promise<unknown>;
  patchStatus(ref: RolloutRef, patch: object): Promise<unknown>;
  /** Who is asking, for the record (the kubeconfig user). */
  readonly user: string;
}

export function rolloutClient(kc: KubeConfig): RolloutClient {
  const api = kc.makeApiClient(CustomObjectsApi);
  const at = (ref: RolloutRef) => ({ group: GROUP, version: VERSION, plural: "rollouts", ...ref });
  return {
    get: (ref) => api.getNamespacedCustomObject(at(ref)),
    patchStatus: (ref, body) =>
      api.patchNamespacedCustomObjectStatus(
        { ...at(ref), body },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    user: kc.getCurrentUser()?.name ?? process.env.USER ?? "unknown",
  };
}
