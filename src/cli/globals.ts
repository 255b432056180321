// Flags every command takes, as kubectl spells them.
import type { Option } from "./command.ts";

export const GLOBAL_OPTIONS: Record<string, Option> = {
  namespace: {
    type: "string",
    short: "n",
    value: "NS",
    help: "The namespace (default: the kubeconfig context's, else default).",
  },
  context: { type: "string", value: "NAME", help: "The kubeconfig context to use." },
  kubeconfig: {
    type: "string",
    value: "PATH",
    help: "The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
  },
  "no-color": {
    type: "boolean",
    help: "No colors (also: NO_COLOR set, or output not a terminal).",
  },
  help: { type: "boolean", short: "h", help: "Help for the command." },
};
