// kubectl ramp promote NAME [--full]
import type { Command } from "../command.ts";

export const promote: Command = {
  words: ["promote"],
  usage: "kubectl ramp promote NAME [--full]",
  summary: "End the current pause (or skip the current step); --full skips every remaining step",
  details:
    "Writes the request to the Rollout's status (never to spec, so GitOps tools see no drift). Refused with exit\n" +
    "code 1 when no rollout is in progress or the rollout is aborted.",
  examples: [
    ["Go on from the current pause or step", "kubectl ramp promote web"],
    ["Skip every remaining step and analysis", "kubectl ramp promote web --full"],
  ],
  options: { full: { type: "boolean", help: "Skip every remaining step and analysis." } },
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/promote.ts")).run(ctx),
};
