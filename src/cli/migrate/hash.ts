// The version a Rollout's template is to the controller: the same parse, workloadRef resolution and hash it
// runs on the stored object, so the label written on the adopted ReplicaSet is the one it looks for.
import type { V1Deployment } from "@kubernetes/client-node";
import { Rollout } from "../../api/index.ts";
import { resolveRollout } from "../../core/workload.ts";
import { podTemplateHash } from "../../kube/hash.ts";

/**
 * `stored` is the Rollout as the apiserver stores it (a server-side dry-run create, or the live object);
 * `deployment` is the one a workloadRef names, as the apiserver sends it.
 */
export function rolloutHash(
  stored: unknown,
  namespace: string,
  deployment: V1Deployment | undefined,
): string {
  const parsed = Rollout.safeParse(stored);
  if (!parsed.success)
    throw new Error(
      `the Rollout to create is not one ramp reads: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  const resolved = resolveRollout(parsed.data, namespace, {
    deployment: (_ns, name) => (deployment?.metadata?.name === name ? deployment : undefined),
  });
  return podTemplateHash(resolved.spec.template);
}
