// kubectl ramp pause NAME
import type { Command } from "../command.ts";

export const pause: Command = {
  words: ["pause"],
  usage: "kubectl ramp pause NAME",
  summary: "Hold the rollout in progress where it is, even past a timed pause",
  details:
    "Written to status, not spec (spec.paused is Git's). Refused with exit code 1 when no rollout is in\n" +
    "progress, it is aborted, or it is already paused by a user.",
  examples: [["Hold web at its current step", "kubectl ramp pause web"]],
  options: {},
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/pause.ts")).run(ctx),
};
