// kubectl ramp abort NAME [--reason TEXT]
import type { Command } from "../command.ts";

export const abort: Command = {
  words: ["abort"],
  usage: "kubectl ramp abort NAME [--reason TEXT]",
  summary: "Stop the rollout in progress: traffic and pods go back to the stable version",
  details:
    "The rollout stays Degraded (AbortedByUser) until `retry` or a new version in Git. Written to status, not\n" +
    "spec. Refused with exit code 1 when no rollout is in progress or it is already aborted.",
  examples: [
    ["Abort the new version of web", "kubectl ramp abort web"],
    ["Record why", 'kubectl ramp abort web --reason "errors in checkout"'],
  ],
  options: { reason: { type: "string", value: "TEXT", help: "Why, kept in status.abort.message." } },
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/abort.ts")).run(ctx),
};
