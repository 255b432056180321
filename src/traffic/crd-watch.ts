// Which CustomResourceDefinitions serve the APIs the routers read, judged from the CRD objects themselves:
// a pure table and one reader, so RouteCaches can follow installs and deletions from a CRD watch.
import type { KubernetesObject } from "@kubernetes/client-node";
import { ROUTE_APIS, ROUTE_KINDS, type RouteKind } from "./apis.ts";

/** A route kind, or one of the Gateway API objects that say which implementation serves an HTTPRoute. */
export type ApiId = RouteKind | "Gateway" | "GatewayClass";

export const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
export const GATEWAY_API = "/apis/gateway.networking.k8s.io/v1";

type Api = { group: string; version: string; plural: string };
const GATEWAY_OBJECTS: Record<"Gateway" | "GatewayClass", Api> = {
  Gateway: { group: "gateway.networking.k8s.io", version: "v1", plural: "gateways" },
  GatewayClass: { group: "gateway.networking.k8s.io", version: "v1", plural: "gatewayclasses" },
};

export const isRouteKind = (id: ApiId): id is RouteKind => Object.hasOwn(ROUTE_APIS, id);
export const apiOf = (id: ApiId): Api => (isRouteKind(id) ? ROUTE_APIS[id] : GATEWAY_OBJECTS[id]);

/** Every API RouteCaches may watch. */
export const watchedApis: readonly ApiId[] = [...ROUTE_KINDS, "Gateway", "GatewayClass"];

/** The CRD's name (`plural.group`) that serves an API; Ingress is built in and has none. */
export const watchedApiCrd = (id: ApiId): string => `${apiOf(id).plural}.${apiOf(id).group}`;

/** The APIs a CRD of this name serves (none for CRDs ramp does not read). */
export const crdApis = (crdName: string): ApiId[] =>
  watchedApis.filter((id) => id !== "Ingress" && watchedApiCrd(id) === crdName);

/** A CRD as the cache holds it: whether it serves ramp's version of its API now. */
export type CrdView = { metadata: { name: string; resourceVersion?: string }; served: boolean };

type RawCrd = KubernetesObject & {
  spec?: { versions?: { name?: string; served?: boolean }[] };
  status?: { conditions?: { type?: string; status?: string }[] };
};

/**
 * Served means Established, the version ramp uses served, and no deletion under way (a deleted CRD first
 * deletes its objects, then goes). Other CRDs are dropped: the cache holds only the routers'.
 */
export function crdView(o: KubernetesObject): CrdView | undefined {
  const name = o.metadata?.name ?? "";
  const [id] = crdApis(name);
  if (id === undefined) return undefined;
  const crd = o as RawCrd;
  const established = (crd.status?.conditions ?? []).some(
    (c) => c.type === "Established" && c.status === "True",
  );
  const version = apiOf(id).version;
  const serves = (crd.spec?.versions ?? []).some((v) => v.name === version && v.served === true);
  return {
    metadata: {
      name,
      ...(o.metadata?.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
    },
    served: established && serves && !o.metadata?.deletionTimestamp,
  };
}
