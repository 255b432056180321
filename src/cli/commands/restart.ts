// kubectl ramp restart NAME
import { specClient } from "../actions/client.ts";
import { restartRollout } from "../actions/spec.ts";
import type { Command } from "../command.ts";
import { EXIT } from "../context.ts";

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
  async run(ctx) {
    const res = await restartRollout(specClient(ctx.kubeConfig()), ctx.ref(), { now: ctx.io.now() });
    ctx.out(res.message);
    ctx.err(`warning: ${res.warning}`);
    return EXIT.ok;
  },
};
