// The live half of `kubectl ramp plan NAME`: one read of everything the controller's caches would hold for
// a Rollout (its ReplicaSets, Services, AnalysisRuns and templates, the route objects it names), served as
// the same `Caches` the controller plans from, so the plan shown is the controller's own function's answer.
import type {
  CustomObjectsApi,
  KubeConfig,
  V1Deployment,
  V1ReplicaSet,
  V1Service,
  V2HorizontalPodAutoscaler,
} from "@kubernetes/client-node";
import type { AnalysisRun, RolloutManifest as Rollout } from "../../api/index.ts";
import { GROUP, VERSION } from "../../api/index.ts";
import { ROLLOUT_LABEL } from "../../api/labels.ts";
import type { Caches } from "../../core/ports.ts";
import { ROUTE_APIS, type RouteKind, type RouteObject } from "../../traffic/apis.ts";
import type { RolloutRef } from "../actions/client.ts";
import { k8s } from "../k8s.ts";

type Listed = { items?: unknown[] };
const notFound = (err: unknown): boolean => err instanceof k8s().ApiException && err.code === 404;
const orUndefined = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((err: unknown) => {
    if (notFound(err)) return undefined;
    throw err;
  });

/** The route objects a Rollout's trafficRouting names, by kind. */
function routeNames(rollout: Rollout): [RouteKind, string][] {
  const r = rollout.spec.strategy.canary?.trafficRouting;
  if (!r) return [];
  const nginx = r.nginx;
  return [
    ...(r.gatewayAPI?.httpRoutes ?? []).map((h) => ["HTTPRoute", h.name] as [RouteKind, string]),
    ...(r.istio?.virtualServices ?? []).map((v) => ["VirtualService", v.name] as [RouteKind, string]),
    ...(r.istio?.virtualService
      ? [["VirtualService", r.istio.virtualService.name] as [RouteKind, string]]
      : []),
    ...(r.istio?.destinationRule
      ? [["DestinationRule", r.istio.destinationRule.name] as [RouteKind, string]]
      : []),
    ...[nginx?.stableIngress, ...(nginx?.stableIngresses ?? [])]
      .filter((n): n is string => n !== undefined)
      .map((n) => ["Ingress", n] as [RouteKind, string]),
  ];
}

/** The analysis templates a Rollout refers to, with their scope. */
function templateRefs(rollout: Rollout): { name: string; cluster: boolean }[] {
  const s = rollout.spec.strategy;
  const refs = [
    ...(s.canary?.steps ?? []).flatMap((st) => st.analysis?.templates ?? []),
    ...(s.canary?.analysis?.templates ?? []),
    ...(s.blueGreen?.prePromotionAnalysis?.templates ?? []),
    ...(s.blueGreen?.postPromotionAnalysis?.templates ?? []),
  ];
  return refs.map((t) => ({ name: t.templateName, cluster: t.clusterScope ?? false }));
}

const key = (...parts: string[]) => parts.join("/");

/** Reads the Rollout's world once and serves it as the controller's read-only caches. */
export async function liveCaches(kc: KubeConfig, ref: RolloutRef, rollout: Rollout): Promise<Caches> {
  const custom = kc.makeApiClient(k8s().CustomObjectsApi);
  const core = kc.makeApiClient(k8s().CoreV1Api);
  const ns = ref.namespace;
  const byRollout = `${ROLLOUT_LABEL}=${ref.name}`;
  const canary = rollout.spec.strategy.canary;
  const blueGreen = rollout.spec.strategy.blueGreen;
  const serviceNames = [
    canary?.stableService,
    canary?.canaryService,
    canary?.pingPong?.pingService,
    canary?.pingPong?.pongService,
    blueGreen?.activeService,
    blueGreen?.previewService,
  ].filter((n): n is string => n !== undefined);
  const workload = rollout.spec.workloadRef?.name;
  const [deployment, autoscalers] = await Promise.all([
    workload
      ? (orUndefined(
          custom.getNamespacedCustomObject({
            group: "apps",
            version: "v1",
            plural: "deployments",
            namespace: ns,
            name: workload,
          }),
        ) as Promise<V1Deployment | undefined>)
      : undefined,
    workload ? autoscalersIn(custom, ns) : [],
  ]);
  const [rs, runs, services, templates, routes, served] = await Promise.all([
    custom.listNamespacedCustomObject({
      group: "apps",
      version: "v1",
      plural: "replicasets",
      namespace: ns,
      labelSelector: byRollout,
    }) as Promise<Listed>,
    (
      custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: "analysisruns",
        namespace: ns,
        labelSelector: byRollout,
      }) as Promise<Listed>
    ).catch((err: unknown) => {
      if (notFound(err)) return { items: [] };
      throw err;
    }),
    Promise.all(serviceNames.map((name) => orUndefined(core.readNamespacedService({ name, namespace: ns })))),
    Promise.all(
      templateRefs(rollout).map(async (t) => ({
        ...t,
        object: await orUndefined(
          t.cluster
            ? custom.getClusterCustomObject({
                group: GROUP,
                version: VERSION,
                plural: "clusteranalysistemplates",
                name: t.name,
              })
            : custom.getNamespacedCustomObject({
                group: GROUP,
                version: VERSION,
                plural: "analysistemplates",
                namespace: ns,
                name: t.name,
              }),
        ),
      })),
    ),
    Promise.all(
      routeNames(rollout).map(async ([kind, name]) => ({
        kind,
        name,
        object: await routeObject(custom, kind, ns, name),
      })),
    ),
    servedKinds(
      custom,
      ns,
      routeNames(rollout).map(([k]) => k),
    ),
  ]);
  const canaryIngresses = canary?.trafficRouting?.nginx
    ? (((
        (await custom.listNamespacedCustomObject({
          group: "networking.k8s.io",
          version: "v1",
          plural: "ingresses",
          namespace: ns,
          labelSelector: byRollout,
        })) as Listed
      ).items ?? []) as RouteObject[])
    : [];
  const svc = new Map(
    services.flatMap((s) => (s?.metadata?.name ? [[s.metadata.name, s] as [string, V1Service]] : [])),
  );
  const tmpl = new Map(templates.map((t) => [key(String(t.cluster), t.name), t.object]));
  const route = new Map(routes.map((r) => [key(r.kind, r.name), r.object]));
  for (const o of canaryIngresses) route.set(key("Ingress", o.metadata.name), o);
  const replicaSets = (rs.items ?? []) as V1ReplicaSet[];
  const analysisRuns = (runs.items ?? []) as AnalysisRun[];
  return {
    rollout: () => rollout,
    replicaSetsOf: () => replicaSets,
    service: (_ns, name) => svc.get(name),
    analysisRunsOf: () => analysisRuns,
    analysisTemplate: (_ns, name, cluster) => tmpl.get(key(String(cluster), name)),
    routeObject: (kind, _ns, name) => route.get(key(kind, name)),
    routeObjectsOf: (kind) => (kind === "Ingress" ? canaryIngresses : []),
    routeApiServed: (kind) => served.has(kind),
    deployment: (_ns, name) => (name === workload ? deployment : undefined),
    autoscalersOf: (_ns, kind, name) =>
      autoscalers.filter((h) => h.kind === kind && h.target === name).map((h) => h.name),
  };
}

/** Every HPA of the namespace as name → scaleTargetRef (none when the API is not served). */
async function autoscalersIn(custom: CustomObjectsApi, namespace: string) {
  const listed = (await custom
    .listNamespacedCustomObject({
      group: "autoscaling",
      version: "v2",
      plural: "horizontalpodautoscalers",
      namespace,
    })
    .catch(() => ({ items: [] }))) as { items?: V2HorizontalPodAutoscaler[] };
  return (listed.items ?? []).map((h) => ({
    name: h.metadata?.name ?? "",
    kind: h.spec?.scaleTargetRef.kind ?? "",
    target: h.spec?.scaleTargetRef.name ?? "",
  }));
}

async function routeObject(
  custom: CustomObjectsApi,
  kind: RouteKind,
  namespace: string,
  name: string,
): Promise<RouteObject | undefined> {
  const api = ROUTE_APIS[kind];
  return (await orUndefined(
    custom.getNamespacedCustomObject({
      group: api.group,
      version: api.version,
      plural: api.plural,
      namespace,
      name,
    }),
  )) as RouteObject | undefined;
}

/** The route kinds the cluster serves: a list of the kind answers, a 404 means the API is not there. */
async function servedKinds(
  custom: CustomObjectsApi,
  namespace: string,
  kinds: RouteKind[],
): Promise<Set<RouteKind>> {
  const served = new Set<RouteKind>();
  await Promise.all(
    [...new Set(kinds)].map(async (kind) => {
      const api = ROUTE_APIS[kind];
      const listed = await orUndefined(
        custom.listNamespacedCustomObject({
          group: api.group,
          version: api.version,
          plural: api.plural,
          namespace,
          limit: 1,
        }),
      );
      if (listed !== undefined) served.add(kind);
    }),
  );
  return served;
}
