// kubectl ramp plan -f FILE|DIR|- [-f ...]: the timeline a Rollout's spec implies, before it is applied.
// kubectl ramp plan NAME: what the controller would write next and why (its own plan function, run
// against the live objects), with a dry run of the current step's Prometheus queries.
import { type Command, outputOption } from "../command.ts";

const OUTPUTS = ["text", "json", "yaml"];

export const plan: Command = {
  words: ["plan"],
  usage:
    "kubectl ramp plan -f FILE|DIR|- [-f ...] [-o text|json|yaml]\n       kubectl ramp plan NAME [--prometheus-url URL] [--no-analysis] [-o text|json|yaml]",
  summary: "Show what a Rollout will do, step by step, before it is applied: weights, pods, pauses, analyses",
  details:
    "For each Rollout in the files: every canary step (or blue-green phase) with the canary and stable\n" +
    "weights, the pods of each version, what ends it (pods ready, a timed pause, an analysis, a person) and\n" +
    "its analyses' templates, found among the same files; then the minimum total time. Needs no cluster.\n" +
    "A document that is not a valid Rollout is reported as lint reports it (file, line, field) and the\n" +
    "others are still planned. Exit codes: 0 every Rollout planned, 1 an invalid Rollout or template, or no\n" +
    "Rollout in the files.\n" +
    "With NAME instead: the controller's own plan function run against the live objects now: the writes\n" +
    "it would make next, in its order, each with why; the status fields that change; its Events; when it\n" +
    "looks again. Then each Prometheus query of the current step's analysis, asked now, with today's value\n" +
    "and whether its conditions would pass (web and job metrics are not run). Reads only; writes nothing.\n" +
    "Exit codes: 0 planned, 1 the controller would mark the Rollout Degraded (the reason is printed) or the\n" +
    "cluster could not be read.",
  examples: [
    ["The timeline of a Rollout, for a pull request", "kubectl ramp plan -f deploy/rollout.yaml"],
    ["Every Rollout of a directory, as JSON", "kubectl ramp plan -f deploy/ -o json"],
    ["What kustomize renders", "kustomize build overlays/prod | kubectl ramp plan -f -"],
    ["What the controller will write next for web, and its analysis now", "kubectl ramp plan web -n shop"],
    [
      "The same, asking a port-forwarded Prometheus",
      "kubectl ramp plan web --prometheus-url http://127.0.0.1:9090",
    ],
  ],
  options: {
    filename: {
      type: "string",
      short: "f",
      multiple: true,
      value: "FILE",
      help: "A file, a directory (its .yaml, .yml and .json files, recursively) or - (stdin).",
    },
    "prometheus-url": {
      type: "string",
      value: "URL",
      help: "With NAME: ask this Prometheus instead of the templates' address (e.g. a port-forward).",
    },
    "no-analysis": { type: "boolean", help: "With NAME: do not dry-run the current step's queries." },
    output: outputOption(OUTPUTS, "text"),
  },
  outputs: OUTPUTS,
  args: { min: 0, max: 1 },
  run: async (ctx) => (await import("./impl/plan.ts")).run(ctx),
};
