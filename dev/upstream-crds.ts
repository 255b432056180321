// Installs the upstream CRDs ramp's traffic routers write to (Gateway API standard channel, Istio) into the
// local cluster, so the real apiserver validates every route ramp writes against the upstream schemas.
import { markedCrdSet } from "./crds.ts";

/** The CRDs the routers need Established before a test applies a route. */
export const ROUTE_CRDS = [
  "httproutes.gateway.networking.k8s.io",
  "virtualservices.networking.istio.io",
  "destinationrules.networking.istio.io",
];

/** Fetches (cached) and server-side applies them; once per process, idempotent across runs. */
export const installUpstreamCrds = markedCrdSet({
  script: "upstream-crds.sh",
  marker: "ramp-test-upstream-crds",
  names: ROUTE_CRDS,
  what: "upstream CRDs",
});
