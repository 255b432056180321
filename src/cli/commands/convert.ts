// kubectl ramp convert -f FILE|DIR|- [-R] | --from-cluster [-n NS | -A]  [-o DIR] [--strict]
import type { Command } from "../command.ts";

export const convertCommand: Command = {
  words: ["convert"],
  usage:
    "kubectl ramp convert -f FILE|DIR|- [-f ...] [-R] [-o DIR] [--strict]\n" +
    "       kubectl ramp convert --from-cluster [-n NS | -A] [-o DIR] [--strict]",
  summary: "Convert Argo Rollouts (and Flagger) objects to ramp YAML, reporting every field not carried",
  details:
    "Rollouts, AnalysisTemplates and ClusterAnalysisTemplates of argoproj.io/v1alpha1 become ramp.dev/v1alpha1\n" +
    "objects; AnalysisRuns are skipped; other objects (Services, Ingresses, routes) pass through unchanged.\n" +
    "Comments and key order are kept. Argo `expr` conditions become CEL; one that cannot be translated drops\n" +
    "its metric rather than leave it without a condition. Every field not carried is listed on stderr as\n" +
    "`file:line: field: reason`, and every difference in meaning as `…: note: …`. The output passes\n" +
    "`kubectl ramp lint` and the apiserver's validation.\n" +
    "Without -o the objects go to stdout, separated by `---`; with -o DIR, one file per object\n" +
    "(`<kind>-<name>.yaml`). Exit codes: 0 converted, 1 with --strict when anything was dropped, or when\n" +
    "an input is not YAML or the cluster could not be read.",
  examples: [
    ["Convert a directory of manifests into another", "kubectl ramp convert -f argo/ -R -o ramp/"],
    ["Convert what kustomize renders", "kustomize build overlays/prod | kubectl ramp convert -f -"],
    ["Convert the live Argo Rollouts of a namespace", "kubectl ramp convert --from-cluster -n shop"],
    ["Fail CI when anything would be lost", "kubectl ramp convert -f deploy/ --strict > /dev/null"],
  ],
  options: {
    filename: {
      type: "string",
      short: "f",
      multiple: true,
      value: "FILE",
      help: "A file, a directory or - (stdin).",
    },
    recursive: { type: "boolean", short: "R", help: "Read the directories of -f recursively." },
    "from-cluster": { type: "boolean", help: "Convert the Argo Rollouts objects the cluster has." },
    "all-namespaces": { type: "boolean", short: "A", help: "With --from-cluster: every namespace." },
    output: { type: "string", short: "o", value: "DIR", help: "Write one file per object into DIR." },
    strict: { type: "boolean", help: "Exit 1 when any field was dropped." },
    inline: {
      type: "boolean",
      help: "Flagger: copy the Canary's Deployment into the Rollout instead of a workloadRef to it.",
    },
  },
  args: { min: 0, max: 0 },
  run: async (ctx) => (await import("./impl/convert.ts")).run(ctx),
};
