// spec.strategy.*.antiAffinity: a new version's pods kept off the nodes of the stable version's pods, so a
// bad canary cannot take a node's whole capacity with it. The term is added to the new ReplicaSet's pod
// template when it is created (the stable version's hash is known then), beside the user's own affinity.
import type { V1PodAffinityTerm, V1ReplicaSet } from "@kubernetes/client-node";
import { HASH_LABEL } from "../../api/labels.ts";

export type AntiAffinitySpec = {
  preferredDuringSchedulingIgnoredDuringExecution?: { weight: number } | undefined;
  requiredDuringSchedulingIgnoredDuringExecution?: Record<string, never> | undefined;
};

/** `rs` with the anti-affinity term against `stableHash`; unchanged without a spec or a stable version. */
export function withAntiAffinity(
  rs: V1ReplicaSet,
  spec: AntiAffinitySpec | undefined,
  stableHash: string | undefined,
): V1ReplicaSet {
  const pod = rs.spec?.template?.spec;
  if (!spec || !stableHash || !pod || !rs.spec?.template) return rs;
  const term: V1PodAffinityTerm = {
    labelSelector: { matchExpressions: [{ key: HASH_LABEL, operator: "In", values: [stableHash] }] },
    topologyKey: "kubernetes.io/hostname",
  };
  const anti = pod.affinity?.podAntiAffinity ?? {};
  const preferred = spec.preferredDuringSchedulingIgnoredDuringExecution;
  const podAntiAffinity = preferred
    ? {
        ...anti,
        preferredDuringSchedulingIgnoredDuringExecution: [
          ...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []),
          { weight: preferred.weight, podAffinityTerm: term },
        ],
      }
    : {
        ...anti,
        requiredDuringSchedulingIgnoredDuringExecution: [
          ...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? []),
          term,
        ],
      };
  const template = { ...rs.spec.template, spec: { ...pod, affinity: { ...pod.affinity, podAntiAffinity } } };
  return { ...rs, spec: { ...rs.spec, template } };
}
