// kubectl ramp resume NAME
import { resumeRollout } from "../actions/actions.ts";
import { rolloutClient } from "../actions/client.ts";
import type { Command } from "../command.ts";
import { EXIT } from "../context.ts";

export const resume: Command = {
  words: ["resume"],
  usage: "kubectl ramp resume NAME",
  summary: "Let a rollout paused with `kubectl ramp pause` go on",
  details:
    "Refused with exit code 1 when no user paused it (a pause in Git, spec.paused, is changed in Git).",
  examples: [["Let web go on", "kubectl ramp resume web"]],
  options: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const res = await resumeRollout(rolloutClient(ctx.kubeConfig()), ctx.ref());
    ctx.out(res.message);
    return EXIT.ok;
  },
};
