// kubectl ramp get rollout NAME [--watch]
import { type Command, outputOption } from "../command.ts";
import { LIST_OPTIONS } from "./list.ts";

const OUTPUTS = ["tree", "table", "wide", "json", "yaml", "name"];

export const get: Command = {
  words: ["get", "rollout"],
  aliases: [
    ["get", "rollouts"],
    ["get", "ro"],
    ["get", "rro"],
  ],
  usage: "kubectl ramp get rollout NAME [--watch] [--timeout DURATION] [-o tree|wide|json|yaml|name]",
  summary: "Show a Rollout as a tree: status, steps, revisions, ReplicaSets, pods and AnalysisRuns",
  details:
    "--watch redraws the tree in place whenever it changes, until Ctrl-C or --timeout (exit code 0 then).\n" +
    "Without NAME it lists the namespace's Rollouts, as `list rollouts` does.",
  examples: [
    ["Show web", "kubectl ramp get rollout web"],
    ["Follow web as it ships a new version", "kubectl ramp get rollout web --watch"],
    ["The Rollout object itself", "kubectl ramp get rollout web -o yaml"],
  ],
  options: {
    watch: { type: "boolean", short: "w", help: "Redraw on every change." },
    timeout: {
      type: "string",
      value: "DURATION",
      help: "With --watch: stop after this long (e.g. 30s, 5m).",
    },
    "all-namespaces": { type: "boolean", short: "A", help: "Without NAME: Rollouts of every namespace." },
    ...LIST_OPTIONS,
    output: outputOption(OUTPUTS, "tree"),
  },
  outputs: OUTPUTS,
  args: { min: 0, max: 1 },
  run: async (ctx) => (await import("./impl/get.ts")).run(ctx),
};
