// Writes to traffic-routing objects: JSON patches guarded by `test` ops for objects users own, server-side
// apply for the objects ramp owns whole, deletes preconditioned on the uid.

import { FIELD_MANAGER } from "../api/labels.ts";
import { RampError } from "../errors.ts";
import type { Clients } from "../kube/client.ts";
import { PatchType, statusCodeOf } from "../kube/client.ts";
import { apiVersionOf, objectPath, type RouteKind } from "./apis.ts";
import type { RouteWriter } from "./ports.ts";

type Status = { message?: string; details?: { causes?: unknown[] } };

/**
 * A 422 with causes is the route's own validation refusing what ramp wrote: retrying cannot help, so it
 * becomes a condition. A 422 without (a failed `test` op: the route changed since the cache read it) is
 * retried with backoff from the fresh object.
 */
async function rejectedAsCondition(
  kind: RouteKind,
  name: string,
  write: () => Promise<unknown>,
): Promise<void> {
  try {
    await write();
  } catch (err) {
    const body = (err as { body?: Status }).body;
    if (statusCodeOf(err) === 422 && (body?.details?.causes?.length ?? 0) > 0) {
      throw new RampError(
        "RouteRejected",
        `${kind} "${name}": the apiserver rejected ramp's change: ${body?.message ?? ""}: correct the step or the ${kind}`,
        { cause: err },
      );
    }
    throw err;
  }
}

export function routeWriter(clients: Clients): RouteWriter {
  return {
    async patchRoute(ref, ops) {
      const path = `${objectPath(ref.kind, ref.namespace, ref.name)}?fieldManager=${FIELD_MANAGER}`;
      await rejectedAsCondition(ref.kind, ref.name, () =>
        clients.request("PATCH", path, ops, PatchType.json),
      );
    },
    async applyRoute(obj) {
      const namespace = obj.metadata.namespace ?? "";
      // force: ramp is the only writer of these fields; a stale co-owner must not block traffic moves.
      const path = `${objectPath(obj.kind, namespace, obj.metadata.name)}?fieldManager=${FIELD_MANAGER}&force=true`;
      const body = { ...obj, apiVersion: apiVersionOf(obj.kind) };
      await rejectedAsCondition(obj.kind, obj.metadata.name, () =>
        clients.request("PATCH", path, body, PatchType.apply),
      );
    },
    async deleteRoute(ref, uid) {
      try {
        await clients.request("DELETE", objectPath(ref.kind, ref.namespace, ref.name), {
          apiVersion: "v1",
          kind: "DeleteOptions",
          preconditions: { uid },
        });
      } catch (err) {
        // Gone already (404), or replaced by someone else's object of that name (409): not ours to delete.
        const code = statusCodeOf(err);
        if (code !== 404 && code !== 409) throw err;
      }
    },
  };
}
