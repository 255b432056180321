// Istio TLS and TCP routes (VirtualService spec.tls, spec.tcp), weighted like HTTP routes: the ones a
// Rollout names by port (and, for TLS, SNI hosts) get the stable and canary destinations' weights.
import { RampError } from "../errors.ts";
import { type Patcher, pointer } from "./json-patch.ts";

export type L4Ref = { kind: "tls" | "tcp"; port?: number | undefined; sniHosts?: string[] | undefined };
type Destination = { host: string; subset?: string };
type L4Route = {
  match?: { port?: number; sniHosts?: string[] }[];
  route?: { destination: Destination; weight?: number }[];
};
export type L4Weighted = { kind: "tls" | "tcp"; index: number; stable: number; canary: number };

const sameSet = (a: readonly string[] | undefined, b: readonly string[]) =>
  (a ?? []).length === b.length && b.every((h) => (a ?? []).includes(h));

const matches = (r: L4Route, ref: L4Ref) =>
  (r.match ?? []).some(
    (m) =>
      (ref.port === undefined || m.port === ref.port) &&
      (ref.sniHosts === undefined || sameSet(m.sniHosts, ref.sniHosts)),
  );

const describe = (ref: L4Ref) =>
  `${ref.kind.toUpperCase()} route${ref.port === undefined ? "" : ` on port ${ref.port}`}` +
  (ref.sniHosts ? ` for SNI hosts ${ref.sniHosts.join(", ")}` : "");

/**
 * The TLS/TCP routes the refs name, with the indices of their stable and canary destinations; throws a
 * RampError naming the VirtualService, the route and the fix when one cannot be found or weighted.
 */
export function selectL4(
  spec: Record<string, unknown> | undefined,
  refs: readonly L4Ref[],
  where: { field: string; name: string; destinations: string },
  isStable: (d: Destination) => boolean,
  isCanary: (d: Destination) => boolean,
): L4Weighted[] {
  return refs.map((ref) => {
    const routes = (spec?.[ref.kind] as L4Route[] | undefined) ?? [];
    const index = routes.findIndex((r) => matches(r, ref));
    const route = routes[index];
    if (!route) {
      throw new RampError(
        "RouteRuleNotFound",
        `${where.field}.${ref.kind}Routes: VirtualService "${where.name}" has no ${describe(ref)}: add one to the ` +
          `${where.destinations}, or correct the port and hosts`,
      );
    }
    const dests = route.route ?? [];
    const stable = dests.findIndex((d) => isStable(d.destination));
    const canary = dests.findIndex((d) => isCanary(d.destination));
    if (stable < 0 || canary < 0) {
      throw new RampError(
        "ServiceNotInRoute",
        `${where.field}.${ref.kind}Routes: VirtualService "${where.name}" ${describe(ref)} has no destination for ` +
          `the ${stable < 0 ? "stable" : "canary"} version: route it to the ${where.destinations}`,
      );
    }
    return { kind: ref.kind, index, stable, canary };
  });
}

/** The canary weight (percent) the first named TLS/TCP route shows; undefined without one. */
export function shownL4(
  spec: Record<string, unknown> | undefined,
  list: readonly L4Weighted[],
): number | undefined {
  const [first] = list;
  if (!first) return undefined;
  return ((spec?.[first.kind] as L4Route[] | undefined)?.[first.index]?.route?.[first.canary]?.weight ??
    0) as number;
}

/** Sets the canary's weight `w` (and stable's 100 − w) on each route, each write guarded by a test op. */
export function weighL4(p: Patcher, list: readonly L4Weighted[], w: number): void {
  for (const sel of list) {
    const dests: [number, number][] = [
      [sel.stable, 100 - w],
      [sel.canary, w],
    ];
    for (const [j, weight] of dests) {
      const at = pointer("spec", sel.kind, sel.index, "route", j);
      if (p.get(`${at}/weight`) === weight) continue;
      p.test(`${at}/destination`, p.get(`${at}/destination`));
      p.add(`${at}/weight`, weight);
    }
  }
}
