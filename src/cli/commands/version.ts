// kubectl ramp version [--client]
import type { V1Deployment } from "@kubernetes/client-node";
import pkg from "../../../package.json" with { type: "json" };
import type { KubeApi } from "../api.ts";
import { type Command, outputOption } from "../command.ts";
import { describeError, EXIT } from "../context.ts";

/** The labels the chart gives the controller's Deployment (chart/templates/_helpers.tpl), nameOverride or not. */
export const CONTROLLER_SELECTOR = "app.kubernetes.io/part-of=ramp,app.kubernetes.io/component=controller";
/** Where the chart is installed unless told otherwise (docs/install.md). */
export const CHART_NAMESPACE = "ramp-system";

type Versions = { plugin: string; controller?: string; kubernetes?: string };

const isForbidden = (err: unknown) =>
  typeof err === "object" && err !== null && "code" in err && (err.code === 403 || err.code === 401);

/** `0.1.0 (ramp-system/ramp)`: the version label, else the image tag. */
function describe(d: V1Deployment): string {
  const label = d.metadata?.labels?.["app.kubernetes.io/version"];
  const image = d.spec?.template.spec?.containers[0]?.image ?? "";
  const tag = /:([^:/@]+)(@|$)/.exec(image)?.[1] ?? "unknown";
  return `${label ?? tag} (${d.metadata?.namespace}/${d.metadata?.name})`;
}

/**
 * The controller's Deployments: listed in every namespace, else (without that right) in the chart's
 * namespace and the current one. What could not be looked at is said, not guessed.
 */
export async function findController(api: KubeApi, namespace: string): Promise<string> {
  const query = new URLSearchParams({ labelSelector: CONTROLLER_SELECTOR }).toString();
  const list = (ns: string | undefined) =>
    api.request<{ items: V1Deployment[] }>(
      "GET",
      `/apis/apps/v1${ns === undefined ? "" : `/namespaces/${ns}`}/deployments?${query}`,
    );
  try {
    const all = await list(undefined);
    return all.items.length > 0
      ? all.items.map(describe).join(", ")
      : `not found (no Deployment labelled ${CONTROLLER_SELECTOR})`;
  } catch (err) {
    if (!isForbidden(err)) throw err;
  }
  const found: string[] = [];
  const denied: string[] = [];
  for (const ns of [...new Set([CHART_NAMESPACE, namespace])]) {
    try {
      found.push(...(await list(ns)).items.map(describe));
    } catch (err) {
      if (!isForbidden(err)) throw err;
      denied.push(ns);
    }
  }
  if (found.length > 0) return found.join(", ");
  const looked = [CHART_NAMESPACE, namespace].filter(
    (ns, i, all) => all.indexOf(ns) === i && !denied.includes(ns),
  );
  return denied.length > 0 && looked.length === 0
    ? `unknown (no permission to list Deployments in all namespaces, nor in ${denied.join(", ")})`
    : `not found in ${looked.join(", ")} (no permission to list Deployments in all namespaces${denied.length > 0 ? `, nor in ${denied.join(", ")}` : ""})`;
}

export const version: Command = {
  words: ["version"],
  usage: "kubectl ramp version [--client] [-o text|json|yaml]",
  summary: "Print the plugin's version and the controller's (and Kubernetes') in the cluster",
  details:
    `The controller's version is read from Deployments labelled ${CONTROLLER_SELECTOR}\n` +
    "(as the chart labels it; app.kubernetes.io/version, else the image tag), in every namespace, or,\n" +
    `without the right to list them there, in ${CHART_NAMESPACE} and the current namespace.\n` +
    "A controller run outside the cluster cannot be seen.",
  examples: [
    ["Both versions", "kubectl ramp version"],
    ["The plugin only, without a cluster", "kubectl ramp version --client"],
  ],
  options: {
    client: { type: "boolean", help: "Only the plugin's version; do not contact the cluster." },
    output: outputOption(["text", "json", "yaml"], "text"),
  },
  outputs: ["text", "json", "yaml"],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const v: Versions = { plugin: pkg.version };
    let code: number = EXIT.ok;
    if (!ctx.bool("client")) {
      try {
        const api = ctx.api();
        const server = await api.request<{ gitVersion?: string }>("GET", "/version");
        if (server.gitVersion !== undefined) v.kubernetes = server.gitVersion;
        v.controller = await findController(api, ctx.namespace());
      } catch (err) {
        ctx.err(describeError(err));
        code = EXIT.failed;
      }
    }
    const format = ctx.string("output") ?? "text";
    if (format === "json") ctx.out(JSON.stringify(v, null, 2));
    else if (format === "yaml") ctx.out((await import("yaml")).stringify(v).trimEnd());
    else {
      ctx.out(`Plugin version: ${v.plugin}`);
      if (v.controller !== undefined) ctx.out(`Controller version: ${v.controller}`);
      if (v.kubernetes !== undefined) ctx.out(`Kubernetes version: ${v.kubernetes}`);
    }
    return code;
  },
};
