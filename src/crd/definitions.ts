// The six CRDs of ramp.dev/v1alpha1, generated from the zod schemas in src/api.
import type { z } from "zod";
import {
  AnalysisRunSpec,
  AnalysisRunStatus,
  AnalysisTemplateSpec,
  ClusterNotifierSpec,
  GROUP,
  NotifierSpec,
  NotifierStatus,
  RolloutSpec,
  RolloutStatus,
  VERSION,
} from "../api/index.ts";
import { crdSchema, type JsonSchema } from "./structural.ts";

type PrinterColumn = {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
};

type CrdDefinition = {
  kind: string;
  plural: string;
  singular: string;
  // Argo Rollouts uses ro/at/cat/ar: ramp's differ so both can be installed during a migration.
  shortNames: string[];
  scope: "Namespaced" | "Cluster";
  description: string;
  spec: z.ZodType;
  status?: z.ZodType;
  columns: PrinterColumn[];
  scale?: boolean;
};

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
const ready: PrinterColumn = {
  name: "Ready",
  type: "string",
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
};
const readyReason: PrinterColumn = {
  name: "Reason",
  type: "string",
  jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
};

export const CRDS: CrdDefinition[] = [
  {
    kind: "Rollout",
    plural: "rollouts",
    singular: "rollout",
    shortNames: ["rro"],
    scope: "Namespaced",
    description:
      "A workload whose new versions ramp ships gradually (canary) or all at once after checks (blue-green), " +
      "shifting traffic and asking metrics whether the new version is healthy.",
    spec: RolloutSpec,
    status: RolloutStatus,
    scale: true,
    columns: [
      { name: "Desired", type: "integer", jsonPath: ".spec.replicas", description: "Desired pods" },
      { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas", description: "Ready pods" },
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      {
        name: "Step",
        type: "integer",
        jsonPath: ".status.currentStepIndex",
        description: "Current canary step",
      },
      {
        name: "Weight",
        type: "integer",
        jsonPath: ".status.canary.weight",
        description: "Canary traffic weight",
      },
      { name: "Message", type: "string", jsonPath: ".status.message", priority: 1 },
      age,
    ],
  },
  {
    kind: "AnalysisTemplate",
    plural: "analysistemplates",
    singular: "analysistemplate",
    shortNames: ["rat"],
    scope: "Namespaced",
    description: "Reusable metrics that decide whether a new version is healthy, referenced by Rollouts.",
    spec: AnalysisTemplateSpec,
    columns: [age],
  },
  {
    kind: "ClusterAnalysisTemplate",
    plural: "clusteranalysistemplates",
    singular: "clusteranalysistemplate",
    shortNames: ["rcat"],
    scope: "Cluster",
    description: "An AnalysisTemplate available to Rollouts in every namespace.",
    spec: AnalysisTemplateSpec,
    columns: [age],
  },
  {
    kind: "AnalysisRun",
    plural: "analysisruns",
    singular: "analysisrun",
    shortNames: ["rar"],
    scope: "Namespaced",
    description: "One execution of analysis templates for a Rollout: measurements and a verdict.",
    spec: AnalysisRunSpec,
    status: AnalysisRunStatus,
    columns: [
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "Message", type: "string", jsonPath: ".status.message", priority: 1 },
      age,
    ],
  },
  {
    kind: "Notifier",
    plural: "notifiers",
    singular: "notifier",
    shortNames: ["rnotifier"],
    scope: "Namespaced",
    description:
      "Where ramp tells people that a Rollout of this namespace needs them or has ended: Slack, Microsoft " +
      "Teams or a CloudEvents webhook (docs/notifications.md).",
    spec: NotifierSpec,
    status: NotifierStatus,
    columns: [ready, readyReason, age],
  },
  {
    kind: "ClusterNotifier",
    plural: "clusternotifiers",
    singular: "clusternotifier",
    shortNames: ["rcnotifier"],
    scope: "Cluster",
    description: "A Notifier for Rollouts in every namespace; its Secrets name their namespace.",
    spec: ClusterNotifierSpec,
    status: NotifierStatus,
    columns: [ready, readyReason, age],
  },
];

/** The CustomResourceDefinition object for one definition. */
export function toCrd(def: CrdDefinition): JsonSchema {
  const properties: JsonSchema = {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: crdSchema(def.spec),
  };
  if (def.status) properties.status = crdSchema(def.status);
  const subresources: JsonSchema = { status: {} };
  if (def.scale) {
    subresources.scale = {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".status.selector",
    };
  }
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { "app.kubernetes.io/part-of": "ramp" },
    },
    spec: {
      group: GROUP,
      scope: def.scope,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: ["ramp"],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: "object", description: def.description, properties, required: ["spec"] },
          },
          subresources,
          additionalPrinterColumns: def.columns,
        },
      ],
    },
  };
}
