// canary.trafficRouting: NGINX and Istio carry as they are; the Gateway API plugin becomes ramp's built-in
// gatewayAPI; every other router is dropped with ramp's alternative. With no router left, what needs one
// goes too.
import { isObject } from "../../../json.ts";
import type { Edit } from "../edit.ts";
import type { Path } from "../source.ts";

const GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI";

const LABELS: Record<string, string> = {
  alb: "ALB traffic routing",
  smi: "SMI traffic routing",
  appMesh: "App Mesh traffic routing",
  ambassador: "Ambassador traffic routing",
  apisix: "APISIX traffic routing",
  traefik: "Traefik traffic routing",
};

/** ramp's message for a refused router (src/api/traffic.ts), with what the router is. */
export type Refusal = (path: Path) => string | undefined;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The HTTPRoutes the plugin's config names, and notes/drops for the rest of its fields. */
function gatewayRoutes(edit: Edit, at: Path, namespace: string | undefined, headerSteps: boolean) {
  const config = edit.value(at);
  const c = isObject(config) ? config : {};
  const names: string[] = [];
  let allUseHeaders = true;
  for (const key of Object.keys(c)) {
    const path = [...at, key];
    const v = c[key];
    if (key === "httpRoute" && str(v)) names.push(v as string);
    else if (key === "httpRoutes" && Array.isArray(v))
      for (const r of v.filter(isObject)) {
        if (str(r.name)) names.push(r.name as string);
        if (r.useHeaderRoutes !== true) allUseHeaders = false;
      }
    else if (/^(grpc|tcp|tls)Routes?$|RouteSelector$/.test(key))
      edit.report(
        path,
        "ramp's Gateway API routing weights HTTPRoutes only (named in gatewayAPI.httpRoutes)",
      );
    else if (key === "namespace" && str(v) && namespace !== undefined && v !== namespace)
      return {
        names: [],
        why: `the HTTPRoutes are in namespace "${String(v)}": ramp weights routes in the Rollout's own namespace only`,
      };
    else if (key === "namespace")
      edit.note(path, "ramp weights HTTPRoutes in the Rollout's own namespace: apply the Rollout there");
    else if (key === "configMap")
      edit.note(path, "not needed: ramp keeps the routes it manages in the Rollout's status");
    else if (key === "disableInProgressLabel" && v === true)
      edit.note(path, "ramp never labels routes while a canary runs");
    else if (key !== "disableInProgressLabel")
      edit.report(
        path,
        key.startsWith("inProgressLabel")
          ? "ramp never labels routes while a canary runs"
          : `ramp's gatewayAPI has no "${key}"`,
      );
  }
  if (headerSteps && !allUseHeaders && names.length > 1)
    edit.note(
      at,
      "ramp adds setHeaderRoute rules to every HTTPRoute it weights (Argo: only those with useHeaderRoutes)",
    );
  return { names, why: "it names no HTTPRoute (httpRoute or httpRoutes)" };
}

/** Replaces `plugins` by `gatewayAPI` (in its place) when the Gateway API plugin names HTTPRoutes. */
function convertPlugins(
  edit: Edit,
  tr: Path,
  refusal: Refusal,
  namespace: string | undefined,
  headerSteps: boolean,
) {
  const plugins = [...tr, "plugins"];
  let names: string[] = [];
  for (const name of edit.keys(plugins)) {
    const path = [...plugins, name];
    if (name !== GATEWAY_PLUGIN) {
      edit.report(
        path,
        `traffic router plugin: not supported by ramp: ${refusal(plugins) ?? "plugins are not run"}`,
      );
      continue;
    }
    const found = gatewayRoutes(edit, path, namespace, headerSteps);
    if (found.names.length === 0) edit.report(path, `Gateway API plugin not carried: ${found.why}`);
    names = found.names;
  }
  if (names.length === 0) edit.remove(plugins);
  else edit.rename(tr, "plugins", "gatewayAPI", { httpRoutes: names.map((name) => ({ name })) });
}

/**
 * Converts `<canary>.trafficRouting` in place; true when a router ramp runs is left. Without one,
 * trafficRouting goes, and with it what only routing makes meaningful.
 */
export function convertTraffic(
  edit: Edit,
  canary: Path,
  refusal: Refusal,
  namespace: string | undefined,
): boolean {
  const tr = [...canary, "trafficRouting"];
  if (!edit.has(tr)) return false;
  const steps = edit.value([...canary, "steps"]);
  const headerSteps =
    Array.isArray(steps) && steps.some((s) => isObject(s) && s.setHeaderRoute !== undefined);
  for (const key of edit.keys(tr)) {
    const label = LABELS[key];
    if (label) edit.drop([...tr, key], `${label}: not supported by ramp: ${refusal([...tr, key]) ?? ""}`);
    else if (key === "plugins") convertPlugins(edit, tr, refusal, namespace, headerSteps);
  }
  const routers = edit.keys(tr).filter((k) => ["gatewayAPI", "nginx", "istio"].includes(k));
  // Argo's ALB-with-mesh mode: pingPong serves the ALB, the mesh routes canaryService/stableService.
  const services = edit.has([...canary, "canaryService"]) && edit.has([...canary, "stableService"]);
  if (
    routers.length > 0 &&
    services &&
    edit.has([...canary, "pingPong"]) &&
    edit.sourceValue([...tr, "alb"]) !== undefined
  )
    edit.drop(
      [...canary, "pingPong"],
      "it served the ALB routing, which was dropped: the other routers use canaryService and stableService",
    );
  if (routers.length > 0) return true;
  for (const key of edit.keys(tr))
    edit.drop([...tr, key], "no traffic router ramp runs is left (see the drops above)");
  edit.remove(tr);
  const needRouting: [string, string][] = [
    ["dynamicStableScale", "needs trafficRouting, which was dropped: stable keeps its pods"],
    ["pingPong", "needs trafficRouting, which was dropped: the canary is scaled by replicas, no Services"],
  ];
  for (const [key, reason] of needRouting)
    if (edit.has([...canary, key])) edit.drop([...canary, key], reason);
  return false;
}
