// The Writer the reconcile uses, over the counted API clients. Every write names ramp's field manager.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { FIELD_MANAGER } from "../api/labels.ts";
import type { Writer } from "../core/ports.ts";
import type { Clients } from "../kube/client.ts";
import { PatchType, statusCodeOf } from "../kube/client.ts";
import { routeWriter } from "../traffic/route-writer.ts";

const q = `fieldManager=${FIELD_MANAGER}`;

export function kubeWriter(clients: Clients): Writer {
  return {
    ...routeWriter(clients),
    createReplicaSet: (namespace, rs) =>
      clients.request<V1ReplicaSet>("POST", `/apis/apps/v1/namespaces/${namespace}/replicasets?${q}`, rs),
    async patchReplicaSet(namespace, name, patch) {
      await clients.request(
        "PATCH",
        `/apis/apps/v1/namespaces/${namespace}/replicasets/${name}?${q}`,
        patch,
        PatchType.merge,
      );
    },
    async deleteReplicaSet(namespace, name) {
      await clients.request(
        "DELETE",
        `/apis/apps/v1/namespaces/${namespace}/replicasets/${name}?propagationPolicy=Background`,
      );
    },
    // Through the scale subresource, as an HPA would: ramp never writes the Deployment's spec otherwise.
    async scaleDeployment(namespace, name, replicas) {
      await clients.request(
        "PATCH",
        `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale?${q}`,
        { spec: { replicas } },
        PatchType.merge,
      );
    },
    async patchService(namespace, name, patch) {
      await clients.request(
        "PATCH",
        `/api/v1/namespaces/${namespace}/services/${name}?${q}`,
        patch,
        PatchType.merge,
      );
    },
    async createAnalysisRun(namespace, run) {
      try {
        await clients.request(
          "POST",
          `/apis/ramp.dev/v1alpha1/namespaces/${namespace}/analysisruns?${q}`,
          run,
        );
      } catch (err) {
        // Already created by an earlier reconcile whose write the cache has not shown yet.
        if (statusCodeOf(err) !== 409) throw err;
      }
    },
    async patchAnalysisRun(namespace, name, patch) {
      await clients.request(
        "PATCH",
        `/apis/ramp.dev/v1alpha1/namespaces/${namespace}/analysisruns/${name}?${q}`,
        patch,
        PatchType.merge,
      );
    },
    async deleteAnalysisRun(namespace, name) {
      await clients.request("DELETE", `/apis/ramp.dev/v1alpha1/namespaces/${namespace}/analysisruns/${name}`);
    },
    async patchRolloutStatus(namespace, name, resourceVersion, status) {
      // resourceVersion in a merge patch is a precondition: a write based on a stale read gets 409.
      const body = { metadata: { resourceVersion }, status };
      const path = `/apis/ramp.dev/v1alpha1/namespaces/${namespace}/rollouts/${name}/status?${q}`;
      const out = await clients.request<{ metadata?: { resourceVersion?: string } }>(
        "PATCH",
        path,
        body,
        PatchType.merge,
      );
      return out?.metadata?.resourceVersion ?? "";
    },
    async patchRolloutFinalizers(namespace, name, resourceVersion, finalizers) {
      const body = { metadata: { resourceVersion, finalizers } };
      const path = `/apis/ramp.dev/v1alpha1/namespaces/${namespace}/rollouts/${name}?${q}`;
      try {
        await clients.request("PATCH", path, body, PatchType.merge);
      } catch (err) {
        // Deleted already (say, its finalizer was removed by hand): nothing left to hold or release.
        if (statusCodeOf(err) !== 404) throw err;
      }
    },
  };
}
