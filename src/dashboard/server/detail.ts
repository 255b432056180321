// One Rollout's detail for one viewer: cached objects from the store, pods and Events listed on demand, the
// routers read, and every part the viewer may not read left out (the server never lends its own rights).
import { HASH_LABEL } from "../../api/labels.ts";
import type { Clients, RawList } from "../../kube/client.ts";
import type { Logger } from "../../observability/log.ts";
import {
  ACTION_NEEDS,
  DASHBOARD_ACTIONS,
  type DashboardAction,
  type Permission,
  type RolloutDetail,
} from "../contract.ts";
import { rolloutDetail } from "../model/detail.ts";
import type { RawEvent, RawPod } from "../model/raw.ts";
import { type Authorizer, describeRule, type ResourceAttributes, ROLLOUTS } from "./authz.ts";
import type { Identity } from "./identity.ts";
import { readRouters } from "./routers.ts";
import type { RolloutStore } from "./store.ts";

export type DetailDeps = { clients: Clients; store: RolloutStore; authz: Authorizer; log: Logger };

/** The SubjectAccessReview attributes of an action on one Rollout (contract.ts ACTION_NEEDS). */
export function actionAttributes(
  namespace: string,
  name: string,
  action: DashboardAction,
): ResourceAttributes {
  const need = ACTION_NEEDS[action];
  return { ...ROLLOUTS, verb: need.verb, subresource: need.subresource, namespace, name };
}

/** May the viewer see this Rollout at all (get)? Where not, callers answer 404 so names do not leak. */
export function mayGet(deps: DetailDeps, who: Identity, namespace: string, name: string): Promise<boolean> {
  return deps.authz.allowed(who, { ...ROLLOUTS, verb: "get", namespace, name });
}

async function listOr(clients: Clients, path: string, query: Record<string, string>): Promise<unknown[]> {
  const list: RawList = await clients.list(path, query);
  return list.items;
}

/** The detail as this viewer may see it; undefined when the Rollout is not in the cache. */
export async function buildDetail(
  deps: DetailDeps,
  who: Identity,
  namespace: string,
  name: string,
): Promise<RolloutDetail | undefined> {
  const rollout = deps.store.rollout(namespace, name);
  if (!rollout) return undefined;
  const may = (a: Omit<ResourceAttributes, "namespace">) => deps.authz.allowed(who, { ...a, namespace });
  const [rsOk, podsOk, eventsOk, runsOk] = await Promise.all([
    may({ verb: "list", group: "apps", resource: "replicasets" }),
    may({ verb: "list", group: "", resource: "pods" }),
    may({ verb: "list", group: "", resource: "events" }),
    may({ ...ROLLOUTS, resource: "analysisruns", verb: "list" }),
  ]);
  const replicaSets = rsOk ? deps.store.replicaSetsOf(namespace, name) : [];
  const hashes = replicaSets.map((rs) => rs.metadata?.labels?.[HASH_LABEL]).filter((h) => h !== undefined);
  const failed = (what: string) => (err: unknown) => {
    deps.log.warn({ err, namespace, rollout: name }, `listing ${what} failed`);
    return [];
  };
  const permissionEntries = DASHBOARD_ACTIONS.map(async (action): Promise<[DashboardAction, Permission]> => {
    const attrs = actionAttributes(namespace, name, action);
    const allowed = await deps.authz.allowed(who, attrs);
    return [action, allowed ? { allowed } : { allowed, reason: `needs RBAC: ${describeRule(attrs)}` }];
  });
  const [pods, events, routers, permissions] = await Promise.all([
    podsOk && hashes.length > 0
      ? listOr(deps.clients, `/api/v1/namespaces/${namespace}/pods`, {
          labelSelector: `${HASH_LABEL} in (${hashes.join(",")})`,
        }).catch(failed("pods"))
      : [],
    eventsOk
      ? listOr(deps.clients, `/api/v1/namespaces/${namespace}/events`, {
          fieldSelector: `involvedObject.kind=Rollout,involvedObject.name=${name}`,
        }).catch(failed("events"))
      : [],
    readRouters(deps.clients, rollout, may),
    Promise.all(permissionEntries),
  ]);
  return rolloutDetail({
    rollout,
    replicaSets,
    pods: pods as RawPod[],
    analysisRuns: runsOk ? deps.store.analysisRunsOf(namespace, name) : [],
    events: events as RawEvent[],
    routers,
    permissions: Object.fromEntries(permissions) as Record<DashboardAction, Permission>,
  });
}
