// kubectl ramp list rollouts [-A]

import { type Command, outputOption } from "../command.ts";
import { EXIT } from "../context.ts";
import { treeReader } from "../inspect/fetch.ts";
import { renderRolloutTable } from "../inspect/table.ts";
import { formatObjects } from "../output.ts";

const OUTPUTS = ["table", "wide", "json", "yaml", "name"];

export const list: Command = {
  words: ["list", "rollouts"],
  aliases: [["list", "rollout"], ["list", "ro"], ["list", "rro"], ["list"]],
  usage: "kubectl ramp list rollouts [-A] [-o table|wide|json|yaml|name]",
  summary: "List Rollouts: name, strategy, phase, step, weight, ready pods, age",
  examples: [
    ["Rollouts of the current namespace", "kubectl ramp list rollouts"],
    ["Rollouts of every namespace, with images and messages", "kubectl ramp list rollouts -A -o wide"],
  ],
  options: {
    "all-namespaces": { type: "boolean", short: "A", help: "List the Rollouts of every namespace." },
    output: outputOption(OUTPUTS, "table"),
  },
  outputs: OUTPUTS,
  args: { min: 0, max: 0 },
  async run(ctx) {
    const all = ctx.bool("all-namespaces");
    const namespace = all ? undefined : ctx.namespace();
    const items = await treeReader(ctx.kubeConfig()).rollouts(namespace);
    const format = ctx.string("output") ?? "table";
    if (format === "json" || format === "yaml" || format === "name") {
      for (const line of formatObjects(format, { items })) ctx.out(line);
      return EXIT.ok;
    }
    if (items.length === 0) {
      ctx.err(all ? "No resources found" : `No resources found in ${namespace} namespace.`);
      return EXIT.ok;
    }
    const opts = {
      now: ctx.io.now().getTime(),
      allNamespaces: all,
      wide: format === "wide",
      paint: ctx.paint,
    };
    for (const line of renderRolloutTable(items, opts)) ctx.out(line);
    return EXIT.ok;
  },
};
