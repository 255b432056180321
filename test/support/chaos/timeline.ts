// What a chaos run recorded, cut per Rollout into the views the audit reads: its status versions, its
// HTTPRoute versions (watched for the whole run), its ReplicaSets and its Events.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { type Follower, follow, type WatchedObject } from "../../../dev/watch.ts";
import { HASH_LABEL, ROLLOUT_LABEL } from "../../../src/api/labels.ts";
import { collectionPath } from "../../../src/traffic/apis.ts";
import type { History } from "../e2e/history.ts";
import type { EventView, RouteView, StatusView, Timeline } from "./audit.ts";
import type { RolloutPlan } from "./plan.ts";

type Versioned = { type: string; obj: WatchedObject };
type BackendRef = { name?: string; weight?: number };
type Rule = { name?: string; backendRefs?: BackendRef[] };

const rvOf = (o: WatchedObject): number => Number(o.metadata?.resourceVersion ?? 0);

/** Every version of the namespace's HTTPRoutes from now until stopped. */
export async function recordRoutes(
  kc: KubeConfig,
  namespace: string,
): Promise<{ versions: Versioned[]; follower: Follower }> {
  const versions: Versioned[] = [];
  const follower = await follow(kc, collectionPath("HTTPRoute", namespace), (type, obj) =>
    versions.push({ type, obj }),
  );
  return { versions, follower };
}

/** The canary's share (percent) of the rule that weights `<name>-stable` and `<name>-canary`. */
export function canaryPercent(route: WatchedObject, name: string): number {
  const rules = (route.spec?.rules as Rule[] | undefined) ?? [];
  const refs = rules.find((r) => r.name === "main")?.backendRefs ?? [];
  // Gateway API: a backendRef without a weight weighs 1.
  const w = (svc: string) => refs.find((r) => r.name === svc)?.weight ?? 1;
  const [s, c] = [w(`${name}-stable`), w(`${name}-canary`)];
  return s + c === 0 ? 0 : (c * 100) / (s + c);
}

/** Events about each Rollout, by name. */
export async function rolloutEvents(kc: KubeConfig, namespace: string): Promise<Map<string, EventView[]>> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({
    namespace,
    fieldSelector: "involvedObject.kind=Rollout",
  });
  const out = new Map<string, EventView[]>();
  for (const e of list.items) {
    const name = e.involvedObject.name ?? "";
    const view: EventView = {
      reason: e.reason ?? "",
      message: e.message ?? "",
      count: e.count ?? 1,
      firstTimestamp: new Date(e.firstTimestamp ?? e.eventTime ?? 0).toISOString(),
    };
    out.set(name, [...(out.get(name) ?? []), view]);
  }
  return out;
}

export function timelineOf(
  plan: RolloutPlan,
  oldHash: string,
  history: History,
  routes: Versioned[],
  events: EventView[],
  kills: number[],
): Timeline {
  const statuses: StatusView[] = history.rollouts
    .filter((v) => v.obj.metadata?.name === plan.name && v.obj.status)
    .map((v) => ({ rv: rvOf(v.obj), ...(v.obj.status as Omit<StatusView, "rv">) }));
  const routeViews: RouteView[] = routes
    .filter((v) => v.obj.metadata?.name === plan.name)
    .map((v) => ({
      rv: rvOf(v.obj),
      deleted: v.type === "DELETED",
      canaryPercent: canaryPercent(v.obj, plan.name),
    }));
  const replicaSets = history.replicaSets
    .filter((v) => v.obj.metadata?.labels?.[ROLLOUT_LABEL] === plan.name)
    .map((v) => ({
      type: v.type,
      name: v.obj.metadata?.name ?? "",
      uid: (v.obj.metadata as { uid?: string } | undefined)?.uid ?? "",
      hash: v.obj.metadata?.labels?.[HASH_LABEL] ?? "",
    }));
  return { plan, oldHash, statuses, routes: routeViews, replicaSets, events, kills };
}

/** A Rollout's recorded history in one merged, rv-ordered list of short lines, for a failure's dump file. */
export function describeTimeline(t: Timeline): string[] {
  const lines: [number, string][] = [
    ...t.statuses.map((s): [number, string] => [
      s.rv,
      `status step ${s.currentStepIndex} ${s.phase} ${s.machine?.value ?? ""} started ${s.machine?.context?.stepStartedAt ?? ""} pause ${s.pauseStartTime ?? "-"}${s.abort ? ` abort ${s.abort.reason}` : ""}${s.currentPodHash === t.oldHash ? " (old version)" : ""}`,
    ]),
    ...t.routes.map((r): [number, string] => [
      r.rv,
      `route canary ${r.canaryPercent}%${r.deleted ? " deleted" : ""}`,
    ]),
  ];
  return [
    ...lines.sort((a, b) => a[0] - b[0]).map(([rv, l]) => `${rv} ${l}`),
    ...t.events.map((e) => `event ${e.firstTimestamp} ${e.reason} x${e.count}: ${e.message}`),
    `kills at ${t.kills.map((k) => new Date(k).toISOString()).join(", ")}`,
  ];
}
