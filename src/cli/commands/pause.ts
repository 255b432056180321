// kubectl ramp pause NAME
import { pauseRollout } from "../actions/actions.ts";
import { rolloutClient } from "../actions/client.ts";
import type { Command } from "../command.ts";
import { EXIT } from "../context.ts";

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
  async run(ctx) {
    const res = await pauseRollout(rolloutClient(ctx.kubeConfig()), ctx.ref());
    ctx.out(res.message);
    return EXIT.ok;
  },
};
