// A dashboard action is the plugin's own function (src/cli/actions) over a RolloutClient/SpecClient built on
// ramp's Clients, with `user` the authenticated name, so intent records who asked.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { GROUP, VERSION } from "../../api/index.ts";
import { ROLLOUT_LABEL } from "../../api/labels.ts";
import {
  abortRollout,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  retryRollout,
} from "../../cli/actions/actions.ts";
import type { RolloutClient, RolloutRef, SpecClient } from "../../cli/actions/client.ts";
import { restartRollout } from "../../cli/actions/spec.ts";
import { undoRollout } from "../../cli/actions/undo.ts";
import { type Clients, PatchType } from "../../kube/client.ts";
import type { ActionAnswer, DashboardAction } from "../contract.ts";

const rolloutPath = (ref: RolloutRef) =>
  `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(ref.namespace)}/rollouts/${encodeURIComponent(ref.name)}`;

export function rolloutClientOf(clients: Clients, user: string): RolloutClient {
  return {
    get: (ref) => clients.request("GET", rolloutPath(ref)),
    patchStatus: (ref, patch) =>
      clients.request("PATCH", `${rolloutPath(ref)}/status`, patch, PatchType.merge),
    user,
  };
}

export function specClientOf(clients: Clients): SpecClient {
  return {
    get: (ref) => clients.request("GET", rolloutPath(ref)),
    patch: (ref, patch, type) =>
      clients.request("PATCH", rolloutPath(ref), patch, type === "json" ? PatchType.json : PatchType.merge),
    replicaSets: async (ref) => {
      const list = await clients.list(
        `/apis/apps/v1/namespaces/${encodeURIComponent(ref.namespace)}/replicasets`,
        {
          labelSelector: `${ROLLOUT_LABEL}=${ref.name}`,
        },
      );
      return list.items as V1ReplicaSet[];
    },
  };
}

/** Optional request body: a reason for abort. Anything else is ignored by design of the contract. */
export type ActionBody = { reason?: string | undefined };

/** Runs one action; throws ActionRefused (409) when the Rollout's state makes it meaningless. */
export async function runAction(
  clients: Clients,
  user: string,
  ref: RolloutRef,
  action: DashboardAction,
  body: ActionBody,
): Promise<ActionAnswer> {
  const rc = rolloutClientOf(clients, user);
  switch (action) {
    case "promote":
      return { message: (await promoteRollout(rc, ref)).message };
    case "promoteFull":
      return { message: (await promoteRollout(rc, ref, { full: true })).message };
    case "abort": {
      const reason = body.reason?.slice(0, 1024) || `aborted by ${user} from the dashboard`;
      return { message: (await abortRollout(rc, ref, { reason })).message };
    }
    case "retry":
      return { message: (await retryRollout(rc, ref)).message };
    case "pause":
      return { message: (await pauseRollout(rc, ref)).message };
    case "resume":
      return { message: (await resumeRollout(rc, ref)).message };
    case "undo": {
      const r = await undoRollout(specClientOf(clients), ref);
      return { message: `${r.message} (${r.warning})` };
    }
    case "restart": {
      const r = await restartRollout(specClientOf(clients), ref);
      return { message: `${r.message} (${r.warning})` };
    }
  }
}
