// The Services Flagger generated from `spec.service`, which it owns (deleting the Canary deletes them):
// the apex (ramp's stable Service: clients and Ingresses keep calling it) and `<svc>-canary`. Without a
// router, the apex reaches every pod and ramp pins `<svc>-primary` and `<svc>-canary` instead. Their
// selector is the workload's; ramp adds the pod-template hash to the stable and canary ones.
import { isObject } from "../../../json.ts";
import { type Json, type Path, type Source, stringMap } from "./source.ts";
import { type Names, object, servicePort } from "./traffic.ts";

const SVC: Path = ["spec", "service"];

export type ServicesInput = {
  canary: Source;
  names: Names;
  ns: string | undefined;
  selector: Record<string, string>;
  /** The pod template's containers, for `portDiscovery`. */
  containers: unknown[];
};

export function services(input: ServicesInput): Json[] {
  const { canary, names } = input;
  const ports = servicePorts(input);
  const meta = (key: "apex" | "primary" | "canary"): Json => {
    const out: Json = {};
    const labels = stringMap(canary.get([...SVC, key, "labels"]));
    const annotations = stringMap(canary.get([...SVC, key, "annotations"]));
    if (labels) out.labels = labels;
    if (annotations) out.annotations = annotations;
    canary.use([...SVC, key]);
    return out;
  };
  const svc = (name: string, m: Json) =>
    object("v1", "Service", name, input.ns, m, { type: "ClusterIP", selector: input.selector, ports });
  if (names.stable === names.apex) {
    // Flagger's primary Service becomes the apex: its metadata joins the apex's, the apex's winning.
    const apex = meta("apex");
    const primary = meta("primary");
    if (canary.has([...SVC, "primary"]))
      canary.note(
        [...SVC, "primary"],
        `there is no ${names.apex}-primary Service: its labels and annotations go on the apex Service ${names.apex}, which ramp pins to the stable pods`,
      );
    return [svc(names.apex, mergeMeta(primary, apex)), svc(names.canary, meta("canary"))];
  }
  return [
    svc(names.apex, meta("apex")),
    svc(names.stable, meta("primary")),
    svc(names.canary, meta("canary")),
  ];
}

function mergeMeta(under: Json, over: Json): Json {
  const out: Json = {};
  for (const k of ["labels", "annotations"]) {
    const merged = { ...(isObject(under[k]) ? under[k] : {}), ...(isObject(over[k]) ? over[k] : {}) };
    if (Object.keys(merged).length > 0) out[k] = merged;
  }
  return out;
}

function servicePorts({ canary, containers }: ServicesInput): Json[] {
  const port = servicePort(canary);
  const target = canary.get([...SVC, "targetPort"]);
  const appProtocol = canary.str([...SVC, "appProtocol"]);
  canary.use(
    [...SVC, "port"],
    [...SVC, "portName"],
    [...SVC, "targetPort"],
    [...SVC, "appProtocol"],
    [...SVC, "name"],
  );
  const main: Json = {
    name: canary.str([...SVC, "portName"]) ?? "http",
    protocol: "TCP",
    port,
    targetPort: typeof target === "number" || typeof target === "string" ? target : port,
    ...(appProtocol ? { appProtocol } : {}),
  };
  canary.use([...SVC, "portDiscovery"]);
  if (!canary.bool([...SVC, "portDiscovery"])) return [main];
  if (containers.length === 0)
    canary.note(
      [...SVC, "portDiscovery"],
      "the Deployment is not among the inputs: add its other container ports to the Services by hand",
    );
  const extra: Json[] = [];
  containers.forEach((c) => {
    if (!isObject(c) || !Array.isArray(c.ports)) return;
    c.ports.forEach((p: unknown, pi: number) => {
      if (!isObject(p) || typeof p.containerPort !== "number") return;
      // Flagger leaves out the container port the Service's own port already serves.
      if (
        p.containerPort === main.targetPort ||
        (typeof main.targetPort === "string" && p.name === main.targetPort)
      )
        return;
      const name = typeof p.name === "string" && p.name ? p.name : `tcp-${String(c.name)}-${pi}`;
      extra.push({ name, protocol: "TCP", port: p.containerPort, targetPort: p.containerPort });
    });
  });
  return [main, ...extra];
}
