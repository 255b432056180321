// The APIs traffic routers read and write: one table, so caches, writer and discovery agree on paths.

export type RouteKind = "HTTPRoute" | "Ingress" | "VirtualService" | "DestinationRule";

export type RouteApi = {
  kind: RouteKind;
  group: string;
  version: string;
  plural: string;
  /** Where to install it from when the cluster does not serve it. */
  install: string;
};

export const ROUTE_APIS: Record<RouteKind, RouteApi> = {
  HTTPRoute: {
    kind: "HTTPRoute",
    group: "gateway.networking.k8s.io",
    version: "v1",
    plural: "httproutes",
    install: "install Gateway API's standard-channel CRDs (v1.0 or newer)",
  },
  Ingress: {
    kind: "Ingress",
    group: "networking.k8s.io",
    version: "v1",
    plural: "ingresses",
    install: "use Kubernetes 1.19 or newer",
  },
  VirtualService: {
    kind: "VirtualService",
    group: "networking.istio.io",
    version: "v1",
    plural: "virtualservices",
    install: "install Istio's CRDs (Istio 1.22 or newer serves networking.istio.io/v1)",
  },
  DestinationRule: {
    kind: "DestinationRule",
    group: "networking.istio.io",
    version: "v1",
    plural: "destinationrules",
    install: "install Istio's CRDs (Istio 1.22 or newer serves networking.istio.io/v1)",
  },
};

export const ROUTE_KINDS = Object.keys(ROUTE_APIS) as RouteKind[];

export const apiVersionOf = (kind: RouteKind): string =>
  `${ROUTE_APIS[kind].group}/${ROUTE_APIS[kind].version}`;

/** The collection path, cluster-wide (namespace undefined) or in one namespace. */
export function collectionPath(kind: RouteKind, namespace?: string): string {
  const a = ROUTE_APIS[kind];
  return `/apis/${a.group}/${a.version}${namespace ? `/namespaces/${namespace}` : ""}/${a.plural}`;
}

export const objectPath = (kind: RouteKind, namespace: string, name: string): string =>
  `${collectionPath(kind, namespace)}/${name}`;

/** A route object as the caches hold it: metadata without managedFields, spec as the apiserver stores it. */
export type RouteObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }[];
  };
  spec?: Record<string, unknown>;
};

export type RouteRef = { kind: RouteKind; namespace: string; name: string };

/** `HTTPRoute "web"`: how messages name an object. */
export const describeRef = (kind: RouteKind, name: string): string => `${kind} "${name}"`;
