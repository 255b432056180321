// kubectl ramp restart NAME
import type { Command } from "../command.ts";

export const restart: Command = {
  words: ["restart"],
  usage: "kubectl ramp restart NAME",
  summary: "Replace every pod of the stable version, maxUnavailable at a time (a rolling restart)",
  details:
    "Sets spec.restartAt to now; the controller deletes pods created before it once the rollout is settled,\n" +
    "and records status.restartedAt when all pods are newer. `kubectl ramp status NAME` waits for it.",
  examples: [["Restart web's pods", "kubectl ramp restart web"]],
  options: {},
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/restart.ts")).run(ctx),
};
