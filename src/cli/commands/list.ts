// kubectl ramp list rollouts [-A] [-l SELECTOR] [--sort-by FIELD] [--no-headers] [-w]

import { type Command, type Option, outputOption } from "../command.ts";

const OUTPUTS = ["table", "wide", "json", "yaml", "name"];

/** The listing flags `list` takes, and `get` without NAME. */
export const LIST_OPTIONS: Record<string, Option> = {
  selector: {
    type: "string",
    short: "l",
    value: "SELECTOR",
    help: "Only Rollouts whose labels match (e.g. -l app=web,tier!=cache), as kubectl.",
  },
  "sort-by": {
    type: "string",
    value: "FIELD",
    help: "Sort by a JSONPath field, e.g. .metadata.creationTimestamp or {.status.phase}.",
  },
  "no-headers": { type: "boolean", help: "No header row in table output." },
};

export const list: Command = {
  words: ["list", "rollouts"],
  aliases: [["list", "rollout"], ["list", "ro"], ["list", "rro"], ["list"]],
  usage:
    "kubectl ramp list rollouts [-A] [-l SELECTOR] [--sort-by FIELD] [--no-headers] [-w] [-o table|wide|json|yaml|name]",
  summary: "List Rollouts: name, strategy, phase, step, weight, ready pods, age",
  details:
    "--watch prints the list, then a row (or an object) each time a Rollout is added, changed or\n" +
    "deleted, as the apiserver's watch reports it, until Ctrl-C.",
  examples: [
    ["Rollouts of the current namespace", "kubectl ramp list rollouts"],
    ["Rollouts of every namespace, with images and messages", "kubectl ramp list rollouts -A -o wide"],
    [
      "Those labelled app=web, newest last",
      "kubectl ramp list rollouts -l app=web --sort-by .metadata.creationTimestamp",
    ],
    ["Follow every change", "kubectl ramp list rollouts -w"],
  ],
  options: {
    "all-namespaces": { type: "boolean", short: "A", help: "List the Rollouts of every namespace." },
    ...LIST_OPTIONS,
    watch: { type: "boolean", short: "w", help: "After the list, print each change until Ctrl-C." },
    output: outputOption(OUTPUTS, "table"),
  },
  outputs: OUTPUTS,
  args: { min: 0, max: 0 },
  run: async (ctx) => (await import("./impl/list.ts")).listRollouts(ctx),
};
