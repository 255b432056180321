// The Pods the reconcile may touch, over the counted API clients: a restart lists and deletes them, a role
// change of their version patches their labels and annotations in place.
import type { V1Pod } from "@kubernetes/client-node";
import type { Pods } from "../core/ports.ts";
import { type Clients, PatchType, statusCodeOf } from "../kube/client.ts";

export function kubePods(clients: Clients): Pods {
  return {
    async list(namespace, labelSelector) {
      const query = new URLSearchParams({ labelSelector }).toString();
      const out = await clients.request<{ items?: V1Pod[] }>(
        "GET",
        `/api/v1/namespaces/${namespace}/pods?${query}`,
      );
      return out?.items ?? [];
    },
    async delete(namespace, name) {
      try {
        await clients.request("DELETE", `/api/v1/namespaces/${namespace}/pods/${name}`);
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw err;
      }
    },
    async patchMetadata(namespace, name, metadata) {
      try {
        await clients.request(
          "PATCH",
          `/api/v1/namespaces/${namespace}/pods/${name}`,
          { metadata },
          PatchType.merge,
        );
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw err;
      }
    },
  };
}
