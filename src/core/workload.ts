// spec.workloadRef: a Rollout that runs a Deployment's pod template. Resolved from the cache once per
// reconcile, so everything downstream reads one `spec.template`, whichever way it was written.
import type { V1Deployment } from "@kubernetes/client-node";
import { PodTemplateSpec, type Rollout, type RolloutManifest } from "../api/index.ts";
import { RampError } from "../errors.ts";
import { selectorMatches } from "../kube/selector.ts";

/** What resolving a workloadRef reads: the Deployment, and (when known) where else one of that name is. */
export type WorkloadLookup = {
  deployment(namespace: string, name: string): V1Deployment | undefined;
  /** Namespaces holding a Deployment of this name (the controller's cluster-wide cache); optional. */
  deploymentNamespaces?(name: string): string[];
};

/** The Rollout with spec.template filled in; a Rollout with an inline template is returned as it is. */
export function resolveRollout(r: RolloutManifest, namespace: string, lookup: WorkloadLookup): Rollout {
  if (r.spec.template) return r as Rollout;
  const ref = r.spec.workloadRef;
  if (!ref) {
    throw new RampError("InvalidSpec", "spec: set exactly one of template or workloadRef");
  }
  const deployment = lookup.deployment(namespace, ref.name);
  if (!deployment) throw notFound(ref.name, namespace, lookup.deploymentNamespaces?.(ref.name) ?? []);
  const template = PodTemplateSpec.safeParse(deployment.spec?.template ?? {});
  if (!template.success) {
    throw new RampError(
      "InvalidSpec",
      `spec.workloadRef: Deployment "${ref.name}" has a pod template ramp cannot read: ${template.error.issues[0]?.message}`,
    );
  }
  const labels = template.data.metadata?.labels;
  if (!selectorMatches(r.spec.selector, labels)) {
    throw new RampError(
      "WorkloadSelectorMismatch",
      `spec.selector does not select the pod template of Deployment "${ref.name}" (labels ` +
        `${JSON.stringify(labels ?? {})}): make spec.selector match those labels (the Deployment's own ` +
        `selector is ${JSON.stringify(deployment.spec?.selector ?? {})})`,
    );
  }
  return { ...r, spec: { ...r.spec, template: template.data } };
}

function notFound(name: string, namespace: string, elsewhere: string[]): RampError {
  const others = elsewhere.filter((ns) => ns !== namespace);
  const fix =
    others.length > 0
      ? `; one of that name is in namespace ${others.map((n) => `"${n}"`).join(", ")}, but a Rollout runs ` +
        "only a Deployment in its own namespace: create the Rollout there, or the Deployment here"
      : ": create it, or correct spec.workloadRef.name";
  return new RampError(
    "WorkloadNotFound",
    `spec.workloadRef: Deployment "${name}" does not exist in namespace "${namespace}"${fix}`,
  );
}
