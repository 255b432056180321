// kubectl ramp lint -f FILE|DIR|- [-f ...]
import { type Command, outputOption } from "../command.ts";

export const lintCommand: Command = {
  words: ["lint"],
  usage: "kubectl ramp lint -f FILE|DIR|- [-f ...] [-o text|json]",
  summary: "Check Rollout and AnalysisTemplate YAML offline, with the controller's and the CRDs' rules",
  details:
    "Validates with the same zod schemas and CRD CEL rules (same messages) the controller and apiserver use,\n" +
    "and across the files: Services and analysis templates a Rollout names must be among them, template\n" +
    "args must be given, selectors must select the template, metric conditions must be valid CEL.\n" +
    "Every finding names the file, line, document, field path and the fix. Exit codes: 0 no findings,\n" +
    "1 findings. Needs no cluster.",
  examples: [
    ["Check a directory of manifests", "kubectl ramp lint -f deploy/"],
    ["Check what kustomize renders", "kustomize build overlays/prod | kubectl ramp lint -f -"],
  ],
  options: {
    filename: {
      type: "string",
      short: "f",
      multiple: true,
      value: "FILE",
      help: "A file, a directory or - (stdin).",
    },
    output: outputOption(["text", "json"], "text"),
  },
  outputs: ["text", "json"],
  args: { min: 0, max: 0 },
  run: async (ctx) => (await import("./impl/lint.ts")).run(ctx),
};
