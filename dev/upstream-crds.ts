// Installs the upstream CRDs ramp's traffic routers write to (Gateway API standard channel, Istio) into the
// local cluster, so the real apiserver validates every route ramp writes against the upstream schemas.
import { APPLY, applyCrds, fetchCrds, oncePerProcess, waitEstablished } from "./crds.ts";
import { kubectl } from "./kube.ts";

/** The CRDs the routers need Established before a test applies a route. */
export const ROUTE_CRDS = [
  "httproutes.gateway.networking.k8s.io",
  "virtualservices.networking.istio.io",
  "destinationrules.networking.istio.io",
];

// Records which fetched versions the cluster has, so later test files skip a 3-4 s re-apply.
const MARKER = ["-n", "kube-system", "configmap", "ramp-test-upstream-crds"];

/** Fetches (cached) and server-side applies the upstream CRDs; once per process, idempotent across runs. */
export const installUpstreamCrds = oncePerProcess(async () => {
  const { dirs, files } = fetchCrds("upstream-crds.sh");
  const marker = await kubectl(["get", ...MARKER, "-o", "jsonpath={.data.dirs}"]);
  if (marker.code === 0 && marker.stdout === dirs.join(",")) {
    await waitEstablished(ROUTE_CRDS, "upstream CRDs");
    return;
  }
  await applyCrds(files, ROUTE_CRDS, "upstream CRDs");
  const cm = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: MARKER[3], namespace: "kube-system" },
    data: { dirs: dirs.join(",") },
  };
  const saved = await kubectl([...APPLY, "-f", "-"], { input: JSON.stringify(cm) });
  if (saved.code !== 0) throw new Error(`recording the upstream CRDs: ${saved.stderr}`);
});
