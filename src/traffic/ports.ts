// What the traffic routers need from outside: read-only route caches, and a writer that carries out the
// writes a router plans. Routers only read and plan; nothing under traffic/ writes during a plan.
import type { RouteKind, RouteObject, RouteRef } from "./apis.ts";
import type { JsonPatchOp } from "./json-patch.ts";

/** A Gateway's GatewayClass as the routers need it: its controller and the features it publishes. */
export type GatewayClassView = {
  gateway: string;
  name: string;
  controllerName: string;
  /** status.supportedFeatures (GEP-2162); undefined when the implementation publishes none. */
  supportedFeatures: string[] | undefined;
};

/** Read-only views of the route watch caches; nothing here makes an API request. */
export interface RouteCaches {
  /**
   * The GatewayClass of Gateway `namespace/name`, when the cluster serves Gateways and both objects are in
   * the caches; undefined otherwise (a view without Gateway caches, such as `kubectl ramp plan`, knows none).
   */
  gatewayClassOf?(namespace: string, name: string): GatewayClassView | undefined;
  /** A traffic-routing object (HTTPRoute, Ingress, VirtualService, DestinationRule), or undefined. */
  routeObject(kind: RouteKind, namespace: string, name: string): RouteObject | undefined;
  /** Routing objects of `kind` labelled as made for the Rollout `namespace/name` (canary Ingresses). */
  routeObjectsOf(kind: RouteKind, key: string): RouteObject[];
  /** Whether the cluster served the kind's API when the controller started (only then is it watched). */
  routeApiServed(kind: RouteKind): boolean;
}

export interface RouteWriter {
  /** JSON patch of a routing object; its `test` ops fail it (422) when the cache was stale. */
  patchRoute(ref: RouteRef, ops: JsonPatchOp[]): Promise<void>;
  /** Server-side apply of a routing object ramp owns whole (a canary Ingress), as ramp's field manager. */
  applyRoute(obj: RouteObject & { kind: RouteKind }): Promise<void>;
  /** Deletes a routing object ramp made, only if it is still the one with `uid`; gone already is fine. */
  deleteRoute(ref: RouteRef, uid: string): Promise<void>;
}

/** One write a router plans: computed from the cache, carried out by `writeRoute`. */
export type RouteWrite =
  | { op: "patch"; ref: RouteRef; ops: JsonPatchOp[] }
  | { op: "apply"; object: RouteObject & { kind: RouteKind } }
  | { op: "delete"; ref: RouteRef; uid: string };

export async function writeRoute(writer: RouteWriter, w: RouteWrite): Promise<void> {
  if (w.op === "patch") await writer.patchRoute(w.ref, w.ops);
  else if (w.op === "apply") await writer.applyRoute(w.object);
  else await writer.deleteRoute(w.ref, w.uid);
}
