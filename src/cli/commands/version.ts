// kubectl ramp version [--client]
import { AppsV1Api, VersionApi } from "@kubernetes/client-node";
import { stringify } from "yaml";
import pkg from "../../../package.json" with { type: "json" };
import { type Command, outputOption } from "../command.ts";
import { describeError, EXIT } from "../context.ts";

/** The label a ramp-controller Deployment carries (and app.kubernetes.io/version, its version). */
export const CONTROLLER_SELECTOR = "app.kubernetes.io/name=ramp-controller";

type Versions = { plugin: string; controller?: string; kubernetes?: string };

export const version: Command = {
  words: ["version"],
  usage: "kubectl ramp version [--client] [-o text|json|yaml]",
  summary: "Print the plugin's version and the controller's (and Kubernetes') in the cluster",
  details:
    `The controller's version is read from Deployments labelled ${CONTROLLER_SELECTOR}\n` +
    "(app.kubernetes.io/version, else the image tag); a controller run outside the cluster cannot be seen.",
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
        const kc = ctx.kubeConfig();
        const server = await kc.makeApiClient(VersionApi).getCode();
        v.kubernetes = server.gitVersion;
        const deployments = await kc
          .makeApiClient(AppsV1Api)
          .listDeploymentForAllNamespaces({ labelSelector: CONTROLLER_SELECTOR });
        const found = deployments.items.map((d) => {
          const label = d.metadata?.labels?.["app.kubernetes.io/version"];
          const image = d.spec?.template.spec?.containers[0]?.image ?? "";
          const tag = image.includes(":") ? image.slice(image.lastIndexOf(":") + 1) : "unknown";
          return `${label ?? tag} (${d.metadata?.namespace}/${d.metadata?.name})`;
        });
        v.controller =
          found.length > 0 ? found.join(", ") : `not found (no Deployment labelled ${CONTROLLER_SELECTOR})`;
      } catch (err) {
        ctx.err(describeError(err));
        code = EXIT.failed;
      }
    }
    const format = ctx.string("output") ?? "text";
    if (format === "json") ctx.out(JSON.stringify(v, null, 2));
    else if (format === "yaml") ctx.out(stringify(v).trimEnd());
    else {
      ctx.out(`Plugin version: ${v.plugin}`);
      if (v.controller !== undefined) ctx.out(`Controller version: ${v.controller}`);
      if (v.kubernetes !== undefined) ctx.out(`Kubernetes version: ${v.kubernetes}`);
    }
    return code;
  },
};
