// kubectl ramp set image NAME CONTAINER=IMAGE...
import type { Command } from "../command.ts";

export const setImageCommand: Command = {
  words: ["set", "image"],
  usage: "kubectl ramp set image NAME CONTAINER=IMAGE [CONTAINER=IMAGE...]",
  summary: "Change container images in the pod template: ships a new version",
  details:
    "`*=IMAGE` sets every container (and init container). Refused with exit code 1 when a container does\n" +
    "not exist. Prints a warning: in a GitOps setup the change belongs in Git.",
  examples: [
    ["Ship web:2 in the container named web", "kubectl ramp set image web web=registry.example/web:2"],
    ["Set every container's image", "kubectl ramp set image web '*=registry.example/web:2'"],
  ],
  options: {},
  args: { min: 2, max: 64 },
  run: async (ctx) => (await import("./impl/set-image.ts")).run(ctx),
};
