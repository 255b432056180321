// The controller's watch caches: Rollouts and what they own or reference, trimmed to the fields ramp reads.
import type {
  KubernetesObject,
  V1Deployment,
  V1ReplicaSet,
  V1Service,
  V2HorizontalPodAutoscaler,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { AnalysisRun } from "../api/index.ts";
import { ROLLOUT_LABEL } from "../api/labels.ts";
import type { Caches } from "../core/ports.ts";
import type { Clients } from "../kube/client.ts";
import { Informer, objectKey } from "../kube/informer.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { RouteKind, RouteObject } from "../traffic/apis.ts";
import type { GatewayClassView } from "../traffic/ports.ts";
import { RouteCaches, routesOf } from "../traffic/route-caches.ts";

type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: unknown };

const phaseOf = (o: Obj): unknown => (o.status as { phase?: unknown } | undefined)?.phase;
const intentOf = (o: Obj): string => JSON.stringify((o.status as { intent?: unknown } | undefined)?.intent);

/** A new Rollout, a new spec, or a user's request written to status.intent (kubectl ramp promote, abort…). */
export function rolloutAsksToAct(old: Obj | undefined, o: Obj): boolean {
  if (old === undefined) return true;
  return old.metadata?.generation !== o.metadata?.generation || intentOf(old) !== intentOf(o);
}

/** Only the metadata a controller reads: no managedFields, no last-applied annotations. */
function slimMeta(o: KubernetesObject): NonNullable<KubernetesObject["metadata"]> {
  const m = o.metadata ?? {};
  const annotations = { ...(m.annotations ?? {}) };
  delete annotations["kubectl.kubernetes.io/last-applied-configuration"];
  return {
    name: m.name ?? "",
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.uid ? { uid: m.uid } : {}),
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
    ...(m.generation === undefined ? {} : { generation: m.generation }),
    ...(m.creationTimestamp ? { creationTimestamp: m.creationTimestamp } : {}),
    ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    ...(m.labels ? { labels: m.labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(m.ownerReferences ? { ownerReferences: m.ownerReferences } : {}),
    ...(m.finalizers ? { finalizers: m.finalizers } : {}),
  };
}

const slim = (o: KubernetesObject): Obj => ({ ...o, metadata: slimMeta(o) });

/** A ReplicaSet without its pod template: the hash label says which version it is. */
const slimReplicaSet = (o: KubernetesObject): V1ReplicaSet => {
  const rs = o as V1ReplicaSet;
  return {
    metadata: slimMeta(o),
    spec: {
      replicas: rs.spec?.replicas ?? 0,
      selector: rs.spec?.selector ?? {},
      minReadySeconds: rs.spec?.minReadySeconds ?? 0,
    },
    ...(rs.status ? { status: rs.status } : {}),
  };
};

const slimService = (o: KubernetesObject): V1Service => {
  const svc = o as V1Service;
  return { metadata: slimMeta(o), spec: { ...(svc.spec?.selector ? { selector: svc.spec.selector } : {}) } };
};

/** A Deployment as a workloadRef reads it: its template (the version), replicas and selector only. */
const slimDeployment = (o: KubernetesObject): V1Deployment => {
  const d = o as V1Deployment;
  const spec = d.spec;
  return {
    metadata: slimMeta(o),
    ...(spec
      ? { spec: { replicas: spec.replicas ?? 1, selector: spec.selector, template: spec.template } }
      : {}),
  };
};

/** An HPA as ramp reads it: what it scales. */
const slimAutoscaler = (o: KubernetesObject): V2HorizontalPodAutoscaler => {
  const h = o as V2HorizontalPodAutoscaler;
  const ref = h.spec?.scaleTargetRef;
  return {
    metadata: slimMeta(o),
    ...(ref && h.spec ? { spec: { scaleTargetRef: ref, maxReplicas: h.spec.maxReplicas } } : {}),
  } as V2HorizontalPodAutoscaler;
};

/** `namespace/Kind/name` of what an HPA scales. */
const scaleTargetOf = (h: V2HorizontalPodAutoscaler): string[] => {
  const ref = h.spec?.scaleTargetRef;
  return ref ? [`${h.metadata?.namespace}/${ref.kind}/${ref.name}`] : [];
};

/** `namespace/deployment` a Rollout's spec.workloadRef names. */
const workloadOf = (o: Obj): string[] => {
  const ref = o.spec?.workloadRef as { name?: unknown } | undefined;
  return typeof ref?.name === "string" ? [`${o.metadata?.namespace}/${ref.name}`] : [];
};

const rolloutKeyOf = (o: KubernetesObject): string[] => {
  const owner = o.metadata?.labels?.[ROLLOUT_LABEL];
  return owner ? [`${o.metadata?.namespace}/${owner}`] : [];
};

/** `namespace/service` for every Service a Rollout's strategy names. */
const servicesOf = (o: Obj): string[] => {
  const strategy = (o.spec?.strategy ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const names = [
    strategy.canary?.canaryService,
    strategy.canary?.stableService,
    (strategy.canary?.pingPong as Record<string, unknown> | undefined)?.pingService,
    (strategy.canary?.pingPong as Record<string, unknown> | undefined)?.pongService,
    strategy.blueGreen?.activeService,
    strategy.blueGreen?.previewService,
  ];
  return names.filter((n): n is string => typeof n === "string").map((n) => `${o.metadata?.namespace}/${n}`);
};

export class ControllerCaches implements Caches {
  readonly rollouts: Informer<Obj>;
  readonly replicaSets: Informer<V1ReplicaSet>;
  readonly services: Informer<V1Service>;
  readonly analysisRuns: Informer<Obj>;
  readonly templates: Informer<Obj>;
  readonly clusterTemplates: Informer<Obj>;
  readonly deployments: Informer<V1Deployment>;
  readonly autoscalers: Informer<V2HorizontalPodAutoscaler>;
  /** Notifiers and ClusterNotifiers: read when a status write records a transition (src/notify). */
  readonly notifiers: Informer<Obj>;
  readonly clusterNotifiers: Informer<Obj>;
  /** HTTPRoutes, Ingresses, VirtualServices, DestinationRules: the APIs the cluster serves, followed as CRDs come and go. */
  readonly routes: RouteCaches;

  constructor(clients: Clients, opts: { namespace?: string | undefined; metrics: Metrics; log: Logger }) {
    const ns = opts.namespace ? `/namespaces/${opts.namespace}` : "";
    const base = { source: clients, metrics: opts.metrics, log: opts.log };
    const ramp = (plural: string) => `/apis/ramp.dev/v1alpha1${ns}/${plural}`;
    this.rollouts = new Informer<Obj>({ ...base, path: ramp("rollouts"), transform: slim });
    this.replicaSets = new Informer<V1ReplicaSet>({
      ...base,
      path: `/apis/apps/v1${ns}/replicasets`,
      labelSelector: ROLLOUT_LABEL,
      transform: slimReplicaSet,
    });
    this.services = new Informer<V1Service>({
      ...base,
      path: `/api/v1${ns}/services`,
      transform: slimService,
    });
    this.analysisRuns = new Informer<Obj>({ ...base, path: ramp("analysisruns"), transform: slim });
    this.templates = new Informer<Obj>({ ...base, path: ramp("analysistemplates"), transform: slim });
    this.clusterTemplates = new Informer<Obj>({
      ...base,
      path: "/apis/ramp.dev/v1alpha1/clusteranalysistemplates",
      transform: slim,
    });
    this.deployments = new Informer<V1Deployment>({
      ...base,
      path: `/apis/apps/v1${ns}/deployments`,
      transform: slimDeployment,
    });
    this.autoscalers = new Informer<V2HorizontalPodAutoscaler>({
      ...base,
      path: `/apis/autoscaling/v2${ns}/horizontalpodautoscalers`,
      transform: slimAutoscaler,
    });
    this.notifiers = new Informer<Obj>({ ...base, path: ramp("notifiers"), transform: slim });
    this.clusterNotifiers = new Informer<Obj>({
      ...base,
      path: "/apis/ramp.dev/v1alpha1/clusternotifiers",
      transform: slim,
    });
    this.notifiers.addIndex("namespace", (o) => [o.metadata?.namespace ?? ""]);
    this.deployments.addIndex("name", (d) => [d.metadata?.name ?? ""]);
    this.autoscalers.addIndex("target", scaleTargetOf);
    this.rollouts.addIndex("workload", workloadOf);
    this.replicaSets.addIndex("rollout", rolloutKeyOf);
    this.analysisRuns.addIndex("rollout", rolloutKeyOf);
    this.rollouts.addIndex("service", servicesOf);
    this.rollouts.addIndex("namespace", (o) => [o.metadata?.namespace ?? ""]);
    this.rollouts.addIndex("route", routesOf);
    // `HTTPRoute:ns/name` → `HTTPRoute`: the Rollouts to look at again when a router's API comes or goes.
    this.rollouts.addIndex("routeKind", (o) => [
      ...new Set(routesOf(o).map((k) => k.slice(0, k.indexOf(":")))),
    ]);
    this.routes = new RouteCaches(clients, { ...opts, slimMeta });
  }

  #all() {
    return [
      this.rollouts,
      this.replicaSets,
      this.services,
      this.analysisRuns,
      this.templates,
      this.clusterTemplates,
      this.deployments,
      this.autoscalers,
      this.notifiers,
      this.clusterNotifiers,
    ] as const;
  }

  async start(): Promise<void> {
    await Promise.all([...this.#all().map((i) => i.start()), this.routes.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#all().map((i) => i.stop()), this.routes.stop()]);
  }

  synced(): boolean {
    return this.#all().every((i) => i.hasSynced()) && this.routes.synced();
  }

  /**
   * Calls `enqueue` with the key of every Rollout a change may concern; `urgent` when the change asks the
   * Rollout to act (its spec, a user's request in status.intent, an analysis verdict), not just to look.
   */
  routeEvents(enqueue: (key: string, urgent: boolean) => void): void {
    // `urgent` sees no old object for an add. A deletion is never an echo of ramp's own writes: urgent.
    const each = <T extends KubernetesObject>(
      inf: Informer<T>,
      keys: (o: T) => string[],
      urgent: (old: T | undefined, o: T) => boolean = () => false,
    ) => {
      const fire = (o: T, now: boolean) => {
        for (const k of keys(o)) enqueue(k, now);
      };
      inf.on("add", (o) => fire(o, urgent(undefined, o)));
      inf.on("update", (old, o) => fire(o, urgent(old, o)));
      inf.on("delete", (o) => fire(o, true));
    };
    // A new Rollout is urgent; a new ReplicaSet or AnalysisRun is mostly the echo of ramp's own create.
    each(this.rollouts, (o) => [objectKey(o)], rolloutAsksToAct);
    this.routes.routeEvents(
      (k) => enqueue(k, false),
      (k) => this.rollouts.byIndex("route", k).map(objectKey),
    );
    // A router's API installed (its cache synced) or removed: its Rollouts recover, or are told, at once.
    this.routes.onApiChange((kind) => {
      for (const r of this.rollouts.byIndex("routeKind", kind)) enqueue(objectKey(r), true);
    });
    each(this.replicaSets, rolloutKeyOf);
    each(this.analysisRuns, rolloutKeyOf, (old, o) => old !== undefined && phaseOf(old) !== phaseOf(o));
    each(this.services, (s) => this.rollouts.byIndex("service", objectKey(s)).map(objectKey));
    each(this.templates, (t) =>
      this.rollouts.byIndex("namespace", t.metadata?.namespace ?? "").map(objectKey),
    );
    each(this.clusterTemplates, () => this.rollouts.keys());
    // A Deployment's new template (generation) is a new version of every Rollout that runs it: urgent.
    const generation = (old: V1Deployment | undefined, d: V1Deployment) =>
      old === undefined || old.metadata?.generation !== d.metadata?.generation;
    each(this.deployments, (d) => this.rollouts.byIndex("workload", objectKey(d)).map(objectKey), generation);
    each(this.autoscalers, (h) =>
      h.spec?.scaleTargetRef.kind === "Deployment"
        ? this.rollouts
            .byIndex("workload", `${h.metadata?.namespace}/${h.spec.scaleTargetRef.name}`)
            .map(objectKey)
        : [],
    );
  }

  rollout(key: string): unknown {
    return this.rollouts.get(key);
  }
  replicaSetsOf(key: string): V1ReplicaSet[] {
    return this.replicaSets.byIndex("rollout", key);
  }
  service(namespace: string, name: string): V1Service | undefined {
    return this.services.get(`${namespace}/${name}`);
  }
  analysisRunsOf(key: string): AnalysisRun[] {
    return this.analysisRuns.byIndex("rollout", key) as unknown as AnalysisRun[];
  }
  analysisTemplate(namespace: string, name: string, clusterScope: boolean): unknown {
    return clusterScope ? this.clusterTemplates.get(name) : this.templates.get(`${namespace}/${name}`);
  }
  deployment(namespace: string, name: string): V1Deployment | undefined {
    return this.deployments.get(`${namespace}/${name}`);
  }
  deploymentNamespaces(name: string): string[] {
    return this.deployments.byIndex("name", name).map((d) => d.metadata?.namespace ?? "");
  }
  autoscalersOf(namespace: string, kind: string, name: string): string[] {
    return this.autoscalers
      .byIndex("target", `${namespace}/${kind}/${name}`)
      .map((h) => h.metadata?.name ?? "");
  }
  routeObject(kind: RouteKind, namespace: string, name: string): RouteObject | undefined {
    return this.routes.get(kind, namespace, name);
  }
  routeObjectsOf(kind: RouteKind, key: string): RouteObject[] {
    return this.routes.labelled(kind, key);
  }
  routeApiServed(kind: RouteKind): boolean {
    return this.routes.served(kind);
  }
  gatewayClassOf(namespace: string, name: string): GatewayClassView | undefined {
    return this.routes.gatewayClassOf(namespace, name);
  }
}
