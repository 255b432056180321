// The Gateway API HTTPRoute Flagger generated for `provider: gatewayapi`, named after the apex Service:
// `service.gatewayRefs` as parentRefs, `hosts` as hostnames, `match` as the rule's matches (Istio's
// match shape, read as Flagger reads it), `headers`, `rewrite` and `mirror` as filters, `timeout` as
// the request timeout.
import { type Json, type Path, type Source, stringMap } from "./source.ts";
import { apexMeta, type Names, object, servicePort } from "./traffic.ts";

const SVC: Path = ["spec", "service"];
const PATH_TYPES: Record<string, string> = {
  exact: "Exact",
  prefix: "PathPrefix",
  regex: "RegularExpression",
};
const VALUE_TYPES: Record<string, string> = { exact: "Exact", regex: "RegularExpression" };
const MATCH_KEYS = new Set(["uri", "method", "headers", "queryParams"]);

export function httpRoute(canary: Source, names: Names, ns: string | undefined, weighted: boolean): Json {
  const port = servicePort(canary);
  const parentRefs = canary.list([...SVC, "gatewayRefs"]);
  const hostnames = canary.list([...SVC, "hosts"]);
  canary.use([...SVC, "gatewayRefs"], [...SVC, "hosts"]);
  if (parentRefs.length === 0)
    canary.note(
      SVC,
      "no service.gatewayRefs: the HTTPRoute attaches to no Gateway (Flagger refuses that too); add parentRefs",
    );
  const matches = canary.list([...SVC, "match"]).flatMap((_, i) => routeMatch(canary, [...SVC, "match", i]));
  const rule: Json = {
    matches: matches.length > 0 ? matches : [{ path: { type: "PathPrefix", value: "/" } }],
  };
  const matchList = rule.matches as Json[];
  const filters = [...headerFilters(canary), ...rewriteFilter(canary, matchList), ...mirrorFilters(canary)];
  if (filters.length > 0) rule.filters = filters;
  const timeout = canary.str([...SVC, "timeout"]);
  canary.use([...SVC, "timeout"]);
  if (timeout) rule.timeouts = { request: timeout };
  rule.backendRefs = weighted
    ? [
        { name: names.stable, port, weight: 100 },
        { name: names.canary, port, weight: 0 },
      ]
    : [{ name: names.apex, port }];
  const spec: Json = {
    ...(parentRefs.length > 0 ? { parentRefs } : {}),
    ...(hostnames.length > 0 ? { hostnames } : {}),
    rules: [rule],
  };
  for (const k of ["retries", "corsPolicy", "trafficPolicy", "gateways", "delegation"])
    canary.drop(
      [...SVC, k],
      `Flagger does not carry ${k} into a Gateway API HTTPRoute either; set it on the Gateway or a policy attached to the route`,
    );
  return object("gateway.networking.k8s.io/v1", "HTTPRoute", names.apex, ns, apexMeta(canary), spec);
}

/** One of `service.match` as an HTTPRouteMatch; what Gateway API cannot match is reported. */
function routeMatch(canary: Source, at: Path): Json[] {
  const m = canary.rec(at) ?? {};
  const out: Json = {};
  for (const k of Object.keys(m))
    if (!MATCH_KEYS.has(k)) canary.drop([...at, k], `a Gateway API route match has no ${k}`);
  const uri = canary.rec([...at, "uri"]);
  const uriKind = uri && Object.keys(PATH_TYPES).find((k) => typeof uri[k] === "string");
  if (uri && uriKind) out.path = { type: PATH_TYPES[uriKind], value: uri[uriKind] };
  else canary.drop([...at, "uri"], "a Gateway API path matches exact, prefix or regex");
  const method = canary.str([...at, "method", "exact"]);
  if (method) out.method = method;
  else canary.drop([...at, "method"], "a Gateway API route matches a method exactly");
  const headers = valueMatches(canary, [...at, "headers"]);
  if (headers.length > 0) out.headers = headers;
  const query = valueMatches(canary, [...at, "queryParams"]);
  if (query.length > 0) out.queryParams = query;
  canary.use([...at, "uri"], [...at, "method"]);
  return [out];
}

function valueMatches(canary: Source, at: Path): Json[] {
  const out: Json[] = [];
  for (const [name, v] of Object.entries(canary.rec(at) ?? {})) {
    const value = canary.rec([...at, name]) ?? {};
    const kind = Object.keys(VALUE_TYPES).find((k) => typeof value[k] === "string");
    if (!kind || v === undefined) {
      canary.drop([...at, name], "a Gateway API header or query match is exact or regex");
      continue;
    }
    canary.use([...at, name]);
    out.push({ name, type: VALUE_TYPES[kind], value: value[kind] });
  }
  return out;
}

function headerFilters(canary: Source): Json[] {
  canary.use([...SVC, "headers"]);
  const pairs = (m: unknown) => Object.entries(stringMap(m) ?? {}).map(([name, value]) => ({ name, value }));
  return (["request", "response"] as const).flatMap((dir) => {
    const h = canary.rec([...SVC, "headers", dir]);
    if (!h) return [];
    const mod: Json = {};
    if (pairs(h.add).length > 0) mod.add = pairs(h.add);
    if (pairs(h.set).length > 0) mod.set = pairs(h.set);
    if (Array.isArray(h.remove) && h.remove.length > 0) mod.remove = h.remove;
    const type = dir === "request" ? "RequestHeaderModifier" : "ResponseHeaderModifier";
    return [{ type, [dir === "request" ? "requestHeaderModifier" : "responseHeaderModifier"]: mod }];
  });
}

function rewriteFilter(canary: Source, matches: Json[]): Json[] {
  const r = canary.rec([...SVC, "rewrite"]);
  if (!r) return [];
  const onePrefix = matches.length === 1 && (matches[0]?.path as Json | undefined)?.type === "PathPrefix";
  if (r.type === "ReplacePrefixMatch" && r.uri && !onePrefix) {
    canary.drop(
      [...SVC, "rewrite"],
      "Gateway API replaces a matched prefix only in a rule with exactly one PathPrefix match (the apiserver " +
        "refuses Flagger's route too): split the route, or rewrite the full path",
    );
    return [];
  }
  canary.use([...SVC, "rewrite"]);
  const rewrite: Json = {};
  if (typeof r.authority === "string" && r.authority) rewrite.hostname = r.authority;
  if (typeof r.uri === "string" && r.uri)
    rewrite.path =
      r.type === "ReplacePrefixMatch"
        ? { type: "ReplacePrefixMatch", replacePrefixMatch: r.uri }
        : { type: "ReplaceFullPath", replaceFullPath: r.uri };
  return [{ type: "URLRewrite", urlRewrite: rewrite }];
}

function mirrorFilters(canary: Source): Json[] {
  canary.use([...SVC, "mirror"]);
  return canary.list([...SVC, "mirror"]).map((m) => ({ type: "RequestMirror", requestMirror: m }));
}
