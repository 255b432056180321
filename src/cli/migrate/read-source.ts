// Reads what a migration needs from the cluster: the source controller's object and what it left (the
// stable ReplicaSet and its pods, Services, routes), what the converter needs beside it, and any ramp
// Rollout of the same name. Reads only.
import type { V1Deployment, V1Pod, V1ReplicaSet, V1Service } from "@kubernetes/client-node";
import { ROLLOUT_LABEL } from "../../api/labels.ts";
import { isObject } from "../../json.ts";
import { ROUTE_APIS, ROUTE_KINDS } from "../../traffic/apis.ts";
import { argoDestinationRule, argoServiceNames, argoStableReplicaSet } from "./argo.ts";
import type { Api, MigrateClient } from "./client.ts";
import { argoTemplateRefs } from "./convert.ts";
import { flaggerServiceNames, flaggerStableReplicaSet, selectorLabel, targetName } from "./flagger-source.ts";
import {
  type ArgoSource,
  controllerOf,
  type Dependent,
  type FlaggerSource,
  type KubeObject,
  type Source,
} from "./model.ts";
import { API, target } from "./steps.ts";

export type SourceKind = "argo" | "flagger";

/** Everything read: the source, the version to adopt, what the converter needs, any ramp Rollout of that name. */
export type Read = {
  source: Source;
  stable: V1ReplicaSet | undefined;
  pods: V1Pod[];
  /** Objects the source references, for the converter (templates, a Deployment, an HPA). */
  context: KubeObject[];
  existing: KubeObject | undefined;
};

const HPA: Api = {
  group: "autoscaling",
  version: "v2",
  plural: "horizontalpodautoscalers",
  kind: "HorizontalPodAutoscaler",
};
const ARGO_TEMPLATE: Api = {
  group: "argoproj.io",
  version: "v1alpha1",
  plural: "analysistemplates",
  kind: "AnalysisTemplate",
};
const ARGO_CLUSTER_TEMPLATE: Api = {
  group: "argoproj.io",
  version: "v1alpha1",
  plural: "clusteranalysistemplates",
  kind: "ClusterAnalysisTemplate",
};
const METRIC_TEMPLATE: Api = {
  group: "flagger.app",
  version: "v1beta1",
  plural: "metrictemplates",
  kind: "MetricTemplate",
};
const CONFIG_MAP: Api = { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap" };
const SECRET: Api = { group: "", version: "v1", plural: "secrets", kind: "Secret" };

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export async function readSource(
  client: MigrateClient,
  kind: SourceKind,
  namespace: string,
  name: string,
): Promise<Read> {
  const existing = (await client.get(target(API.rampRollout, namespace, name))) as KubeObject | undefined;
  if (kind === "argo") {
    const { source, context } = await readArgo(client, namespace, name);
    const stable = argoStableReplicaSet(source, name);
    return { source, stable, pods: await podsOf(client, stable), context, existing };
  }
  const { source, context } = await readFlagger(client, namespace, name);
  const stable = flaggerStableReplicaSet(source, name);
  source.dependents = await canaryDependents(client, source, stable);
  return { source, stable, pods: await podsOf(client, stable), context, existing };
}

async function required(
  client: MigrateClient,
  t: ReturnType<typeof target>,
  what: string,
): Promise<KubeObject> {
  const o = (await client.get(t)) as KubeObject | undefined;
  if (!o) throw new Error(`${what} ${t.name} not found in namespace ${t.namespace}`);
  return o;
}

async function readArgo(client: MigrateClient, namespace: string, name: string) {
  const rollout = await required(client, target(API.argoRollout, namespace, name), "Argo Rollout");
  const uid = rollout.metadata.uid;
  const sets = (await client.list(API.replicaSet, namespace)) as V1ReplicaSet[];
  const replicaSets = sets.filter((rs) => {
    const owner = controllerOf(rs);
    return owner ? owner.uid === uid || owner.name === name : rs.metadata?.labels?.[ROLLOUT_LABEL] === name;
  });
  const services = await getAll<V1Service>(
    client,
    argoServiceNames(rollout).map((n) => target(API.service, namespace, n)),
  );
  const dr = argoDestinationRule(rollout);
  const destinationRules = dr
    ? await getAll<KubeObject>(client, [target(API.destinationRule, namespace, dr)])
    : [];
  const templates = await getAll<KubeObject>(
    client,
    argoTemplateRefs(rollout).map((r) =>
      r.cluster ? target(ARGO_CLUSTER_TEMPLATE, "", r.name) : target(ARGO_TEMPLATE, namespace, r.name),
    ),
  );
  const workload = str((rollout.spec?.workloadRef as { name?: unknown } | undefined)?.name);
  const deployments = workload
    ? await getAll<KubeObject>(client, [target(API.deployment, namespace, workload)])
    : [];
  const source: ArgoSource = { kind: "argo", rollout, replicaSets, services, destinationRules };
  return { source, context: [...templates, ...deployments] };
}

async function readFlagger(client: MigrateClient, namespace: string, name: string) {
  const canary = await required(client, target(API.canary, namespace, name), "Canary");
  const t = targetName(canary);
  const [deployment, primaryDeployment] = (await Promise.all(
    [t, `${t}-primary`].map((n) => client.get(target(API.deployment, namespace, n))),
  )) as (V1Deployment | undefined)[];
  const label = selectorLabel(deployment);
  const sets = label
    ? ((await client.list(
        API.replicaSet,
        namespace,
        `${label.key}=${label.value}-primary`,
      )) as V1ReplicaSet[])
    : [];
  const primaryUid = primaryDeployment?.metadata?.uid;
  // The primary's, an orphan of it (a run interrupted after deleting it), or the ramp Rollout's.
  const replicaSets = sets.filter((rs) => {
    const owner = controllerOf(rs);
    return !owner || owner.uid === primaryUid || owner.name === name;
  });
  const names = flaggerServiceNames(canary);
  const services = await getAll<V1Service>(
    client,
    [names.apex, names.primary, names.canary].map((n) => target(API.service, namespace, n)),
  );
  // The route kinds ramp weights, as Flagger names them: the apex's, and DestinationRules per Service.
  const routeNames = [names.apex, names.primary, names.canary];
  const routes = (
    await Promise.all(
      ROUTE_KINDS.map((k) =>
        getAll<KubeObject>(
          client,
          routeNames.map((n) => target(ROUTE_APIS[k], namespace, n)),
        ).then((os) => os.map((o) => ({ ...o, kind: k }))),
      ),
    )
  ).flat();
  const context = [
    ...(deployment ? [deployment as unknown as KubeObject] : []),
    ...(await metricTemplates(client, canary, namespace)),
    ...(await autoscaler(client, canary, namespace)),
  ];
  const source: FlaggerSource = {
    kind: "flagger",
    canary,
    target: deployment,
    primary: primaryDeployment,
    replicaSets,
    services,
    routes,
    dependents: [],
  };
  return { source, context };
}

async function metricTemplates(
  client: MigrateClient,
  canary: KubeObject,
  namespace: string,
): Promise<KubeObject[]> {
  const analysis = canary.spec?.analysis ?? canary.spec?.canaryAnalysis;
  const metrics = isObject(analysis) && Array.isArray(analysis.metrics) ? analysis.metrics : [];
  const refs = metrics.flatMap((m) => {
    const ref = isObject(m) && isObject(m.templateRef) ? m.templateRef : undefined;
    const n = str(ref?.name);
    return n ? [target(METRIC_TEMPLATE, str(ref?.namespace) ?? namespace, n)] : [];
  });
  return getAll<KubeObject>(client, refs);
}

async function autoscaler(
  client: MigrateClient,
  canary: KubeObject,
  namespace: string,
): Promise<KubeObject[]> {
  const ref = canary.spec?.autoscalerRef;
  const n = isObject(ref) && ref.kind === "HorizontalPodAutoscaler" ? str(ref.name) : undefined;
  return n ? getAll<KubeObject>(client, [target(HPA, namespace, n)]) : [];
}

async function getAll<T>(client: MigrateClient, targets: ReturnType<typeof target>[]): Promise<T[]> {
  const got = await Promise.all(targets.map((t) => client.get(t)));
  return got.filter((o): o is T => o !== undefined);
}

/** The live pods the ReplicaSet controls (by its selector, then its ownerReference). */
export async function podsOf(client: MigrateClient, rs: V1ReplicaSet | undefined): Promise<V1Pod[]> {
  if (!rs?.metadata?.uid) return [];
  const selector = Object.entries(rs.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = (await client.list(API.pod, rs.metadata.namespace ?? "", selector)) as V1Pod[];
  return pods.filter((p) => controllerOf(p)?.uid === rs.metadata?.uid && !p.metadata?.deletionTimestamp);
}

/**
 * What the Canary owns that ramp keeps using: its Services and routes (those the converter writes are
 * released in the plan from this list), and the `-primary` ConfigMaps and Secrets the adopted template
 * names (the adopted pods, and a replacement of one, need them until the next version ships).
 */
async function canaryDependents(
  client: MigrateClient,
  src: FlaggerSource,
  stable: V1ReplicaSet | undefined,
): Promise<Dependent[]> {
  const uid = src.canary.metadata.uid;
  const ns = src.canary.metadata.namespace ?? "";
  const { configMaps, secrets } = primaryConfigs(stable);
  const configs = [
    ...(
      await getAll<KubeObject>(
        client,
        configMaps.map((n) => target(CONFIG_MAP, ns, n)),
      )
    ).map((o) => ({ o, api: CONFIG_MAP })),
    ...(
      await getAll<KubeObject>(
        client,
        secrets.map((n) => target(SECRET, ns, n)),
      )
    ).map((o) => ({ o, api: SECRET })),
  ];
  const all = [
    ...src.services.map((s) => ({ o: s as unknown as KubeObject, api: API.service as Api })),
    ...src.routes.map((r) => ({ o: r, api: ROUTE_APIS[r.kind as keyof typeof ROUTE_APIS] as Api })),
    ...configs,
  ];
  return all.flatMap(({ o, api }) => {
    const i = o.metadata?.ownerReferences?.findIndex((r) => r.uid === uid) ?? -1;
    return i >= 0 ? [{ target: target(api, ns, o.metadata.name), ownerIndex: i }] : [];
  });
}

/** ConfigMap and Secret names ending in `-primary` that a ReplicaSet's pod template refers to. */
export function primaryConfigs(rs: V1ReplicaSet | undefined): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const walk = (v: unknown, key = ""): void => {
    if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (isObject(v)) {
      const n = str(v.name) ?? str(v.secretName);
      if (n?.endsWith("-primary")) {
        if (/configMap/i.test(key)) configMaps.add(n);
        if (/secret/i.test(key)) secrets.add(n);
      }
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  walk(rs?.spec?.template?.spec);
  return { configMaps: [...configMaps], secrets: [...secrets] };
}
