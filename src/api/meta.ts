// Building blocks shared by every ramp schema: Kubernetes-shaped fields and CRD schema markers.
import { z } from "zod";

/** A CEL rule attached to a schema node; `message` must name the field and the fix. */
export type CelRule = { rule: string; message: string; reason?: string; fieldPath?: string };

/** Attaches CEL rules (`.refine()` does not reach the CRD, `x-kubernetes-validations` does). */
export const cel = <T extends z.ZodType>(schema: T, ...rules: CelRule[]): T =>
  schema.meta({ "x-kubernetes-validations": rules });

/** An http(s) URL a provider connects to (its description says which); 2 KiB as Kubernetes URLs go. */
export const httpAddress = () => z.string().min(1).max(2048);

/** Go-style duration ("30s", "5m", "1h30m", "250ms") as the apiserver's CEL sees it. */
export const DURATION_RE = "^([0-9]+(ms|s|m|h))+$";

/** A duration given as whole seconds or a Go-style string, as Argo Rollouts accepts it. */
export const duration = (field: string) =>
  cel(
    z
      .union([z.int32().min(0), z.string().max(32).regex(new RegExp(DURATION_RE))])
      .meta({ "x-kubernetes-int-or-string": true }),
    {
      rule: `type(self) == int ? self >= 0 : self.matches('${DURATION_RE}')`,
      message: `${field} must be whole seconds (30) or a duration such as "30s", "5m", "1h30m"`,
    },
  );

/** An absolute count or a percentage ("25%"), like a Deployment's maxSurge. */
export const intOrPercent = (field: string) =>
  cel(
    z
      .union([
        z.int32().min(0),
        z
          .string()
          .max(8)
          .regex(/^[0-9]+%$/),
      ])
      .meta({ "x-kubernetes-int-or-string": true }),
    {
      rule: "type(self) == int ? self >= 0 : self.matches('^[0-9]+%$')",
      message: `${field} must be a non-negative count (1) or a percentage ("25%")`,
    },
  );

/** A DNS-1123 subdomain name, the form Kubernetes object names take. */
export const objectName = (what: string) =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
    .describe(what);

// Bounded so CEL rules over labels stay within the apiserver's cost budget.
const labelMap = z.record(z.string().max(317), z.string().max(63)).meta({ maxProperties: 64 });

export const LabelSelectorRequirement = z.object({
  key: z.string().max(317),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
  values: z.array(z.string().max(63)).max(64).optional(),
});

export const LabelSelector = z
  .object({
    matchLabels: labelMap.optional(),
    matchExpressions: z.array(LabelSelectorRequirement).max(32).optional(),
  })
  .describe("A label query over pods, as in a Deployment. Must match spec.template.metadata.labels.");
export type LabelSelector = z.infer<typeof LabelSelector>;

/** A pod template, kept exactly as given: the apiserver validates it when ramp creates ReplicaSets. */
export const PodTemplateSpec = z
  .object({
    metadata: z
      .object({
        labels: labelMap.optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      // Other metadata keys the CRD keeps reach the ReplicaSet's template too, as in a Deployment.
      .loose()
      .meta({ "x-kubernetes-preserve-unknown-fields": true })
      .optional(),
    spec: z.record(z.string(), z.unknown()).meta({ "x-kubernetes-preserve-unknown-fields": true }),
  })
  .describe("The pod template of every version, as in a Deployment (a full PodTemplateSpec).");
export type PodTemplateSpec = z.infer<typeof PodTemplateSpec>;

export const Condition = z.object({
  type: z.string().max(316),
  status: z.enum(["True", "False", "Unknown"]),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: z.string(),
  reason: z.string().max(1024),
  message: z.string().max(32768),
});
export type Condition = z.infer<typeof Condition>;

export const SecretKeyRef = z.object({
  name: objectName("Name of a Secret in the same namespace."),
  key: z.string().min(1).max(253).describe("Key within the Secret's data."),
});

/** Free-form metadata (labels, annotations) ramp adds to pods of one role. */
export const PodMetadata = z.object({
  labels: labelMap.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** The apiVersion/kind/metadata every object carries; metadata is whatever the apiserver sends. */
export const objectMeta = z
  .object({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    generation: z.int().optional(),
    resourceVersion: z.string().optional(),
    creationTimestamp: z.union([z.string(), z.date()]).optional(),
    deletionTimestamp: z.union([z.string(), z.date()]).optional(),
    labels: labelMap.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .loose();

/** Canary (or preview) pods kept off the nodes of the stable (active) version's pods (Argo's antiAffinity). */
export const AntiAffinity = cel(
  z
    .object({
      preferredDuringSchedulingIgnoredDuringExecution: z
        .object({ weight: z.int32().min(1).max(100).describe("The preference's weight (1-100).") })
        .optional()
        .describe("Prefer other nodes: the scheduler may still co-locate when it must."),
      requiredDuringSchedulingIgnoredDuringExecution: z
        .object({})
        .optional()
        .describe("Never on a node that runs a pod of the stable version."),
    })
    .describe(
      "Pod anti-affinity of the new version's pods against the stable version's, by pod-template hash and " +
        "node (kubernetes.io/hostname), set on its ReplicaSet when it is created.",
    ),
  {
    rule: "has(self.preferredDuringSchedulingIgnoredDuringExecution) != has(self.requiredDuringSchedulingIgnoredDuringExecution)",
    message:
      "spec.strategy.*.antiAffinity: set exactly one of preferredDuringSchedulingIgnoredDuringExecution or requiredDuringSchedulingIgnoredDuringExecution",
  },
);

/**
 * Argo Rollouts fields ramp does not support, each with what to use instead. They are declared (free-form) so
 * a CEL rule refuses them by name in every client; undeclared, a client without strict field validation
 * would have them pruned with only a warning, and the Rollout would run without them.
 */
export function unsupportedFields(path: string, fields: Record<string, string>) {
  const free = () => z.record(z.string(), z.unknown()).meta({ "x-kubernetes-preserve-unknown-fields": true });
  const shape = Object.fromEntries(
    Object.entries(fields).map(([f, alt]) => [
      f,
      free().optional().describe(`Not supported by ramp: ${alt}`),
    ]),
  );
  const rules = Object.entries(fields).map(([f, alt]) => ({
    rule: `!has(self.${f})`,
    message: `${path}.${f} is not supported by ramp: ${alt}`,
  }));
  return { shape, rules };
}
