// kubectl ramp resume NAME
import type { Command } from "../command.ts";

export const resume: Command = {
  words: ["resume"],
  usage: "kubectl ramp resume NAME",
  summary: "Let a rollout paused with `kubectl ramp pause` go on",
  details:
    "Refused with exit code 1 when no user paused it (a pause in Git, spec.paused, is changed in Git).",
  examples: [["Let web go on", "kubectl ramp resume web"]],
  options: {},
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/resume.ts")).run(ctx),
};
