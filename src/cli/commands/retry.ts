// kubectl ramp retry NAME
import type { Command } from "../command.ts";

export const retry: Command = {
  words: ["retry"],
  usage: "kubectl ramp retry NAME",
  summary: "Start the steps of an aborted rollout again from the first",
  details: "Written to status, not spec. Refused with exit code 1 when the rollout is not aborted.",
  examples: [["Try the aborted version again", "kubectl ramp retry web"]],
  options: {},
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/retry.ts")).run(ctx),
};
