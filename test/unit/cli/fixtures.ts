// Fixture objects for the plugin's rendering tests: a canary of web (v1 stable, v2 canary) paused at
// step 4 of 5, with pods and an AnalysisRun. Times are fixed, so ages are too.
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import type { RolloutTree } from "../../../src/cli/inspect/view.ts";

export const NOW = Date.parse("2026-01-01T12:00:00Z");
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();

export function rollout(
  status: Record<string, unknown> = {},
  name = "web",
  namespace = "shop",
): Record<string, unknown> {
  return {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name, namespace, uid: `uid-${name}`, generation: 2, creationTimestamp: at(3 * 3600 + 300) },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "registry.example/web:2" }] },
      },
      strategy: {
        canary: {
          canaryService: `${name}-canary`,
          stableService: `${name}-stable`,
          steps: [
            { setWeight: 20 },
            { pause: { duration: "30s" } },
            { setWeight: 50 },
            { pause: {} },
            { analysis: { templates: [{ templateName: "success-rate" }] } },
          ],
        },
      },
    },
    status: {
      observedGeneration: 2,
      phase: "Paused",
      message: "step 4/5: paused until promoted",
      replicas: 6,
      updatedReplicas: 2,
      readyReplicas: 5,
      availableReplicas: 5,
      currentPodHash: "v2hash",
      stableRS: "v1hash",
      currentStepIndex: 3,
      stepCount: 5,
      canary: { weight: 50, stableWeight: 50 },
      ...status,
    },
  };
}

export function replicaSet(
  hash: string,
  revision: number,
  replicas: number,
  ready: number,
  image: string,
  ageS: number,
): V1ReplicaSet {
  return {
    metadata: {
      name: `web-${hash}`,
      uid: `rs-${hash}`,
      labels: { app: "web", "ramp.dev/pod-template-hash": hash, "ramp.dev/rollout": "web" },
      annotations: { "ramp.dev/revision": String(revision) },
      creationTimestamp: at(ageS) as unknown as Date,
      ownerReferences: [
        { apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", name: "web", uid: "uid-web", controller: true },
      ],
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web", "ramp.dev/pod-template-hash": hash } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } },
    },
    status: { replicas, readyReplicas: ready, availableReplicas: ready },
  };
}

export function pod(
  hash: string,
  suffix: string,
  ready: boolean,
  ageS: number,
  extra: Partial<{ restarts: number; phase: string; waiting: string }> = {},
): V1Pod {
  return {
    metadata: {
      name: `web-${hash}-${suffix}`,
      labels: { app: "web", "ramp.dev/pod-template-hash": hash },
      creationTimestamp: new Date(NOW - ageS * 1000),
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `web-${hash}`,
          uid: `rs-${hash}`,
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: "web" }], nodeName: "kwok-node-0" },
    status: {
      phase: extra.phase ?? "Running",
      podIP: "10.244.0.7",
      containerStatuses: [
        {
          name: "web",
          image: "x",
          imageID: "",
          ready,
          restartCount: extra.restarts ?? 0,
          ...(extra.waiting ? { state: { waiting: { reason: extra.waiting } } } : {}),
        },
      ],
    },
  };
}

export const analysisRun = (phase: string) => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "AnalysisRun",
  metadata: {
    name: "web-v2hash-4",
    labels: { "ramp.dev/rollout": "web", "ramp.dev/pod-template-hash": "v2hash" },
    creationTimestamp: at(40),
  },
  spec: { metrics: [] },
  status: {
    phase,
    message: phase === "Failed" ? "metric error-rate: 0.12 > 0.05" : undefined,
    metricResults: [
      {
        name: "success-rate",
        phase: "Successful",
        count: 3,
        measurements: [
          { phase: "Successful", value: "0.97" },
          { phase: "Successful", value: "0.99" },
        ],
      },
      {
        name: "error-rate",
        phase: phase === "Failed" ? "Failed" : "Running",
        count: 1,
        measurements: [{ phase: "Failed", value: "[0.12]" }],
      },
      { name: "latency", phase: "Pending", count: 0 },
    ],
  },
});

/** web paused at step 4 of 5: v1 stable (4 pods), v2 canary (2 pods, one not ready yet), v0 scaled down. */
export function pausedTree(): RolloutTree {
  return {
    rollout: rollout(),
    replicaSets: [
      replicaSet("v1hash", 2, 4, 4, "registry.example/web:1", 3 * 3600),
      replicaSet("v2hash", 3, 2, 1, "registry.example/web:2", 95),
      replicaSet("v0hash", 1, 0, 0, "registry.example/web:0", 2 * 86400),
    ],
    pods: [
      pod("v1hash", "b2k4x", true, 3 * 3600),
      pod("v1hash", "a9f2c", true, 3 * 3600, { restarts: 2 }),
      pod("v1hash", "c7d8e", true, 600),
      pod("v1hash", "d1e2f", true, 125),
      pod("v2hash", "x1y2z", true, 90),
      pod("v2hash", "q3r4s", false, 5, { phase: "Pending", waiting: "ContainerCreating" }),
    ],
    analysisRuns: [analysisRun("Running")],
  };
}
