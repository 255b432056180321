// Source objects as Argo Rollouts and Flagger leave them, for the pure migration plan's tests.
import type { V1Deployment, V1Pod, V1ReplicaSet, V1Service } from "@kubernetes/client-node";
import type { ArgoSource, FlaggerSource, KubeObject, Migration } from "../../../../src/cli/migrate/model.ts";

export const NS = "shop";
export const H = "ramphash01";

const container = (image: string) => ({ name: "app", image });

export const argoRollout = (
  status: Record<string, unknown> = {},
  meta: Partial<KubeObject["metadata"]> = {},
) =>
  ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: NS, uid: "argo-uid", generation: 1, ...meta },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [container("app:1")] } },
      strategy: {
        canary: {
          stableService: "web-stable",
          canaryService: "web-canary",
          trafficRouting: {
            istio: {
              destinationRule: { name: "web", stableSubsetName: "stable", canarySubsetName: "canary" },
            },
          },
        },
      },
    },
    status: {
      phase: "Healthy",
      stableRS: "abc",
      currentPodHash: "abc",
      observedGeneration: "1",
      ...status,
    },
  }) satisfies KubeObject;

export const argoReplicaSet = (hash = "abc", image = "app:1"): V1ReplicaSet => ({
  metadata: {
    name: `web-${hash}`,
    namespace: NS,
    uid: `rs-${hash}`,
    labels: { app: "web", "rollouts-pod-template-hash": hash },
    annotations: { "rollout.argoproj.io/revision": "4" },
    ownerReferences: [
      { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "web", uid: "argo-uid", controller: true },
    ],
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "web", "rollouts-pod-template-hash": hash } },
    template: {
      metadata: { labels: { app: "web", "rollouts-pod-template-hash": hash } },
      spec: { containers: [container(image)] },
    },
  },
  status: { replicas: 3, availableReplicas: 3 },
});

export const pod = (name: string, owner: string): V1Pod => ({
  metadata: {
    name,
    namespace: NS,
    uid: `uid-${name}`,
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: `rs-${owner}`, controller: true },
    ],
  },
});

export const service = (
  name: string,
  selector: Record<string, string>,
  owners: string[] = [],
): V1Service => ({
  metadata: {
    name,
    namespace: NS,
    ownerReferences: owners.map((uid) => ({
      apiVersion: "x",
      kind: "Canary",
      name: "podinfo",
      uid,
      controller: true,
    })),
  },
  spec: { selector },
});

export function argoMigration(status: Record<string, unknown> = {}): Migration {
  const rs = argoReplicaSet();
  const source: ArgoSource = {
    kind: "argo",
    rollout: argoRollout(status),
    replicaSets: [rs],
    services: [
      service("web-stable", { app: "web", "rollouts-pod-template-hash": "abc" }),
      service("web-canary", { app: "web", "rollouts-pod-template-hash": "abc" }),
    ],
    destinationRules: [
      {
        kind: "DestinationRule",
        metadata: { name: "web" },
        spec: {
          host: "web",
          subsets: [
            { name: "stable", labels: { "rollouts-pod-template-hash": "abc" } },
            { name: "canary", labels: { "rollouts-pod-template-hash": "abc" } },
          ],
        },
      },
    ],
  };
  return {
    namespace: NS,
    name: "web",
    source,
    adopted: {
      replicaSet: rs,
      pods: [pod("web-abc-1", "abc"), pod("web-abc-2", "abc")],
      hash: H,
      revision: "4",
    },
    ramp: {
      rollout: {
        apiVersion: "ramp.dev/v1alpha1",
        kind: "Rollout",
        metadata: { name: "web", namespace: NS },
        spec: {},
      },
      extras: [
        {
          apiVersion: "ramp.dev/v1alpha1",
          kind: "AnalysisTemplate",
          metadata: { name: "success", namespace: NS },
        },
      ],
      traffic: [],
      skipped: [],
    },
  };
}

export const canary = (
  status: Record<string, unknown> = { phase: "Succeeded" },
  extra: Record<string, unknown> = {},
) =>
  ({
    apiVersion: "flagger.app/v1beta1",
    kind: "Canary",
    metadata: { name: "podinfo", namespace: NS, uid: "canary-uid", finalizers: ["finalizer.flagger.app"] },
    spec: {
      provider: "gatewayapi:v1",
      revertOnDeletion: true,
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "podinfo" },
      service: { port: 80 },
      ...extra,
    },
    status,
  }) satisfies KubeObject;

export const deployment = (
  name: string,
  labels: Record<string, string>,
  image: string,
  annotations = {},
): V1Deployment => ({
  metadata: { name, namespace: NS, uid: `${name}-uid` },
  spec: {
    replicas: 0,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels, annotations },
      spec: { containers: [container(image)], volumes: [{ name: "cfg", configMap: { name: "settings" } }] },
    },
  },
});

export const primaryReplicaSet = (image = "app:1"): V1ReplicaSet => ({
  metadata: {
    name: "podinfo-primary-7d9f",
    namespace: NS,
    uid: "rs-primary",
    labels: { app: "podinfo-primary", "pod-template-hash": "7d9f" },
    annotations: { "deployment.kubernetes.io/revision": "2" },
    ownerReferences: [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "podinfo-primary",
        uid: "podinfo-primary-uid",
        controller: true,
      },
    ],
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "podinfo-primary", "pod-template-hash": "7d9f" } },
    template: {
      metadata: {
        labels: { app: "podinfo-primary", "pod-template-hash": "7d9f" },
        annotations: { "flagger-id": "0f1e" },
      },
      spec: {
        containers: [container(image)],
        volumes: [{ name: "cfg", configMap: { name: "settings-primary" } }],
      },
    },
  },
  status: { replicas: 3, availableReplicas: 3 },
});

export function flaggerSource(over: Partial<FlaggerSource> = {}): FlaggerSource {
  return {
    kind: "flagger",
    canary: canary(),
    target: deployment("podinfo", { app: "podinfo" }, "app:1"),
    primary: deployment("podinfo-primary", { app: "podinfo-primary" }, "app:1"),
    replicaSets: [primaryReplicaSet()],
    services: [
      service("podinfo", { app: "podinfo-primary" }, ["canary-uid"]),
      service("podinfo-primary", { app: "podinfo-primary" }, ["canary-uid"]),
      service("podinfo-canary", { app: "podinfo" }, ["canary-uid"]),
    ],
    routes: [{ kind: "HTTPRoute", metadata: { name: "podinfo" }, spec: { rules: [] } }],
    dependents: [
      {
        target: {
          group: "",
          version: "v1",
          plural: "services",
          kind: "Service",
          namespace: NS,
          name: "podinfo",
        },
        ownerIndex: 0,
      },
      {
        target: {
          group: "",
          version: "v1",
          plural: "services",
          kind: "Service",
          namespace: NS,
          name: "podinfo-primary",
        },
        ownerIndex: 0,
      },
      {
        target: {
          group: "",
          version: "v1",
          plural: "services",
          kind: "Service",
          namespace: NS,
          name: "podinfo-canary",
        },
        ownerIndex: 0,
      },
      {
        target: {
          group: "gateway.networking.k8s.io",
          version: "v1",
          plural: "httproutes",
          kind: "HTTPRoute",
          namespace: NS,
          name: "podinfo",
        },
        ownerIndex: 0,
      },
      {
        target: {
          group: "",
          version: "v1",
          plural: "configmaps",
          kind: "ConfigMap",
          namespace: NS,
          name: "settings-primary",
        },
        ownerIndex: 0,
      },
    ],
    ...over,
  };
}

/** The converter's Rollout for the Canary: stable = apex, canary = `-canary`, a workloadRef. */
export const convertedRollout = (): KubeObject => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "podinfo", namespace: NS },
  spec: {
    selector: { matchLabels: { app: "podinfo" } },
    workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "podinfo", scaleDown: "onsuccess" },
    strategy: {
      canary: {
        stableService: "podinfo",
        canaryService: "podinfo-canary",
        trafficRouting: { gatewayAPI: { httpRoutes: [{ name: "podinfo" }] } },
        steps: [{ setWeight: 25 }],
      },
    },
  },
});

export const convertedTraffic = (): KubeObject[] => [
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "podinfo" },
    spec: { selector: { app: "podinfo" } },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "podinfo-canary" },
    spec: { selector: { app: "podinfo" } },
  },
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "podinfo" },
    spec: {
      rules: [
        {
          backendRefs: [
            { name: "podinfo", weight: 100 },
            { name: "podinfo-canary", weight: 0 },
          ],
        },
      ],
    },
  },
];

export function flaggerMigration(source = flaggerSource()): Migration {
  const rs = primaryReplicaSet();
  return {
    namespace: NS,
    name: "podinfo",
    source,
    adopted: {
      replicaSet: rs,
      pods: [pod("podinfo-primary-7d9f-a", "podinfo-primary-7d9f")],
      hash: H,
      revision: "2",
    },
    ramp: { rollout: convertedRollout(), extras: [], traffic: convertedTraffic(), skipped: [] },
  };
}
