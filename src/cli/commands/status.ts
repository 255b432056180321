// kubectl ramp status NAME [--watch] [--timeout 5m] [--fail-on-pause]
import type { Command } from "../command.ts";

export const status: Command = {
  words: ["status"],
  usage: "kubectl ramp status NAME [--watch=true|false] [--timeout DURATION] [--fail-on-pause]",
  summary: "Wait until a Rollout is Healthy (exit 0) or Degraded (exit 1), for CI",
  details:
    "Prints a line whenever the status changes. Healthy means the newest version is promoted and the\n" +
    "controller has seen the latest spec. A paused rollout keeps it waiting unless --fail-on-pause.\n" +
    "Exit codes: 0 Healthy; 1 Degraded or aborted (the reason is printed), or paused with --fail-on-pause;\n" +
    "2 --timeout passed (or, with --watch=false, not done yet).",
  examples: [
    ["Wait for web in a pipeline, at most 10 minutes", "kubectl ramp status web --timeout 10m"],
    ["Check once, without waiting", "kubectl ramp status web --watch=false"],
  ],
  options: {
    watch: { type: "boolean", short: "w", default: true, help: "Wait for the end (default true)." },
    timeout: {
      type: "string",
      value: "DURATION",
      help: "Give up after this long, exit code 2 (default: never).",
    },
    "fail-on-pause": { type: "boolean", help: "A paused rollout ends the wait with exit code 1." },
  },
  args: { min: 1, max: 1 },
  run: async (ctx) => (await import("./impl/status.ts")).run(ctx),
};
