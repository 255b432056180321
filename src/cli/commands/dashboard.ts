// kubectl ramp dashboard [--port N] [-A]
import type { Command } from "../command.ts";

export const dashboard: Command = {
  words: ["dashboard"],
  usage: "kubectl ramp dashboard [--port N] [-A | -n NS]",
  summary: "Open ramp's web dashboard on this machine, as you (your kubeconfig)",
  details:
    "Serves the dashboard on 127.0.0.1 only, and prints a URL with a one-time token: the first visit\n" +
    "trades it for a session cookie, and nothing else gets in. Every read and action is made with your\n" +
    "kubeconfig's credentials, so the dashboard can do exactly what you can do with kubectl.\n" +
    "Stop it with Ctrl-C. docs/dashboard.md explains the in-cluster mode for a team.",
  examples: [
    ["Watch the current namespace's Rollouts", "kubectl ramp dashboard"],
    ["Every namespace you may list, on a fixed port", "kubectl ramp dashboard -A --port 3100"],
  ],
  options: {
    port: { type: "string", value: "N", default: "3100", help: "Port on 127.0.0.1 (0: any free port)." },
    "all-namespaces": {
      type: "boolean",
      short: "A",
      help: "Watch every namespace (you need list and watch on rollouts cluster-wide).",
    },
  },
  args: { min: 0, max: 0 },
  run: async (ctx) => (await import("./impl/dashboard.ts")).run(ctx),
};
