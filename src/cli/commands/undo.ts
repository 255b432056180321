// kubectl ramp undo NAME [--to-revision N]
import type { Command } from "../command.ts";

export const undo: Command = {
  words: ["undo"],
  usage: "kubectl ramp undo NAME [--to-revision N]",
  summary: "Put a previous revision's pod template back (default: the revision before the current one)",
  details:
    "Copies the template kept in that revision's ReplicaSet into spec.template. Going back to the stable\n" +
    "version while a new one is rolled out returns to it at once, without steps. Refused with exit code 1\n" +
    "when the revision does not exist or is the current one. Prints a warning: in a GitOps setup the\n" +
    "change belongs in Git.",
  examples: [
    ["Go back one revision", "kubectl ramp undo web"],
    ["Go back to revision 3 (see `kubectl ramp get rollout web`)", "kubectl ramp undo web --to-revision 3"],
  ],
  options: {
    "to-revision": {
      type: "string",
      value: "N",
      help: "The revision to go back to (0, the default: the previous one).",
    },
  },
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/undo.ts")).run(ctx),
};
