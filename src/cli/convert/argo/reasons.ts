// Why an Argo Rollouts field ramp has no place for is dropped, and what to use instead. Fields ramp
// declares only to refuse (src/api/meta.ts unsupportedFields) take ramp's own message instead.
import type { Path } from "../source.ts";

/** By the field's last key, or by the last two joined with "." when the key alone is ambiguous. */
const REASONS: Record<string, string> = {
  analysisRunMetadata:
    "ramp puts no extra labels or annotations on AnalysisRuns (each carries the ramp.dev/rollout label)",
  replicaProgressThreshold:
    "ramp waits for all of a step's pods to be available before going on (Argo's default, 100%)",
  "destinationRule.additionalSubsetNames":
    "ramp weights only the canary and stable subsets: route to other subsets outside the Rollout",
  consecutiveSuccessLimit: "ramp has no consecutiveSuccessLimit: a metric ends after count measurements",
  "sigv4.profile":
    "ramp signs with the controller's AWS credentials (the SDK's standard chain): set AWS_PROFILE in its environment",
  "sigv4.roleArn":
    "ramp assumes no role: give the controller's own role (IRSA or EKS Pod Identity) permission to query the workspace",
  "authentication.oauth2":
    "ramp fetches no OAuth2 tokens: store a token in a Secret and use authentication.bearerToken (prometheus) " +
    "or a header from the Secret (web)",
  "web.authentication":
    "ramp's web metric authenticates with headers: send the token in a header whose value comes from a Secret",
  "spec.templates":
    "ramp templates do not include other templates: list each template in the Rollout's analysis.templates",
};

/** The reason for dropping the field at `path` (ramp's generic one when there is no better). */
export function argoReason(path: Path): string {
  const keys = path.filter((p): p is string => typeof p === "string");
  const last = keys.at(-1) ?? "";
  const pair = keys.slice(-2).join(".");
  return REASONS[pair] ?? REASONS[last] ?? `ramp has no field "${last}" here (see kubectl explain)`;
}
