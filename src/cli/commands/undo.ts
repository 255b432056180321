// kubectl ramp undo NAME [--to-revision N]
import { specClient } from "../actions/client.ts";
import { undoRollout } from "../actions/undo.ts";
import type { Command } from "../command.ts";
import { EXIT, UsageError } from "../context.ts";

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
  async run(ctx) {
    const raw = ctx.string("to-revision");
    const toRevision = raw === undefined ? 0 : Number(raw);
    if (!(Number.isInteger(toRevision) && toRevision >= 0))
      throw new UsageError(
        `--to-revision: "${raw}" is not a revision number (1, 2, …; 0 is the previous one)`,
      );
    const res = await undoRollout(specClient(ctx.kubeConfig()), ctx.ref(), toRevision ? { toRevision } : {});
    ctx.out(res.message);
    ctx.err(`warning: ${res.warning}`);
    return EXIT.ok;
  },
};
