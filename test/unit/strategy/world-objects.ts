// The objects a plan-test world is made of, built as the cluster (or ramp) would have them, and a plan
// written out as one line per write in apply's order, so a table row can say exactly what is written.
import type { V1Service } from "@kubernetes/client-node";
import type { z } from "zod";
import type { AnalysisTemplate, RolloutSpec } from "../../../src/api/index.ts";
import type { ReplicaSetWrite, RolloutPlan, ServicePin } from "../../../src/core/plan.ts";
import type { RouteObject } from "../../../src/traffic/apis.ts";
import type { RouteWrite } from "../../../src/traffic/ports.ts";

export const NS = "ns";
export const NAME = "web";
export const T0 = Date.parse("2026-01-01T00:00:00Z");

/** A Rollout's spec as a test writes it (zod input: defaults still to apply). */
export type SpecInput = Omit<z.input<typeof RolloutSpec>, "selector" | "template">;

/** The pod template of one version: only the image differs between versions. */
export const templateOf = (version: string) => ({
  metadata: { labels: { app: NAME } },
  spec: { containers: [{ name: NAME, image: `registry.example/web:${version}` }] },
});

/** A Service as a user creates it: selecting the app, not yet pinned to any version. */
export const serviceOf = (name: string): V1Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: NS },
  spec: { selector: { app: NAME }, ports: [{ port: 80 }] },
});

/** An HTTPRoute with one rule to the stable Service (all traffic) and the canary Service (weight 0). */
export const httpRouteOf = (name: string, stable: string, canary: string): RouteObject => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name, namespace: NS, uid: `uid-route-${name}` },
  spec: {
    parentRefs: [{ name: "gateway" }],
    rules: [
      {
        matches: [{ path: { type: "PathPrefix", value: "/" } }],
        backendRefs: [
          { name: stable, port: 80, weight: 100 },
          { name: canary, port: 80, weight: 0 },
        ],
      },
    ],
  },
});

/** An AnalysisTemplate with one Prometheus metric. */
export const analysisTemplateOf = (name: string): AnalysisTemplate => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name, namespace: NS },
  spec: {
    metrics: [
      {
        name: "error-rate",
        successCondition: "result[0] < 0.05",
        provider: { prometheus: { address: "http://prometheus:9090", query: "errors" } },
      } as AnalysisTemplate["spec"]["metrics"][number],
    ],
  },
});

/** Hash → version name, so lines read `v2` instead of a hash. */
export type Names = (hash: string | undefined) => string;

const pinLine = (group: string, p: ServicePin, name: Names) => `${group}: ${p.name} → ${name(p.hash)}`;

const rsLine = (w: ReplicaSetWrite, rsVersion: (rsName: string) => string, name: Names): string => {
  switch (w.op) {
    case "create":
      return `create ${name(w.replicaSet.metadata?.labels?.["ramp.dev/pod-template-hash"])} ×${w.replicaSet.spec?.replicas}`;
    case "scale":
      return `scale ${rsVersion(w.name)} ${w.from}→${w.replicas}`;
    case "annotate":
      return `annotate ${rsVersion(w.name)} ${Object.entries(w.annotations)
        .map(([k, v]) => `${k}=${v ?? "null"}`)
        .join(",")}`;
    case "delete":
      return `delete ${rsVersion(w.name)}`;
    default:
      // A kind of write these lines do not spell out yet: its op and ReplicaSet still show.
      return `${(w as { op: string }).op} ${rsVersion((w as { name: string }).name)}`;
  }
};

const routeLine = (w: RouteWrite): string =>
  w.op === "apply"
    ? `apply ${w.object.kind}/${w.object.metadata.name}`
    : `${w.op} ${w.ref.kind}/${w.ref.name}`;

/** Every write of a plan, one line each, in the order apply carries them out. */
export function linesOf(plan: RolloutPlan, name: Names, rsVersion: (rsName: string) => string): string[] {
  return [
    ...plan.servicesFirst.map((p) => pinLine("servicesFirst", p, name)),
    ...plan.routes.map((w) => `routes: ${routeLine(w)}`),
    ...plan.services.map((p) => pinLine("services", p, name)),
    ...plan.replicaSets.map((w) => `replicaSets: ${rsLine(w, rsVersion, name)}`),
    ...plan.analysis.create.map((r) => `analysis: create ${r.metadata.name}`),
    ...plan.analysis.terminate.map((n) => `analysis: terminate ${n}`),
    ...plan.analysis.delete.map((n) => `analysis: delete ${n}`),
    ...plan.podDeletes.map((n) => `podDeletes: ${n}`),
  ];
}
