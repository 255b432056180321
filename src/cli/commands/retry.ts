// kubectl ramp retry NAME
import { retryRollout } from "../actions/actions.ts";
import { rolloutClient } from "../actions/client.ts";
import type { Command } from "../command.ts";
import { EXIT } from "../context.ts";

export const retry: Command = {
  words: ["retry"],
  usage: "kubectl ramp retry NAME",
  summary: "Start the steps of an aborted rollout again from the first",
  details: "Written to status, not spec. Refused with exit code 1 when the rollout is not aborted.",
  examples: [["Try the aborted version again", "kubectl ramp retry web"]],
  options: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const res = await retryRollout(rolloutClient(ctx.kubeConfig()), ctx.ref());
    ctx.out(res.message);
    return EXIT.ok;
  },
};
