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
  cluster: {
    type: "string",
    value: "NAME",
    help: "The kubeconfig cluster to use (instead of the context's).",
  },
  user: { type: "string", value: "NAME", help: "The kubeconfig user to use (instead of the context's)." },
  server: {
    type: "string",
    short: "s",
    value: "URL",
    help: "The apiserver's address (instead of the cluster's).",
  },
  token: {
    type: "string",
    value: "TOKEN",
    help: "A bearer token to authenticate with (instead of the user's).",
  },
  "certificate-authority": {
    type: "string",
    value: "FILE",
    help: "A CA certificate file to verify the apiserver with.",
  },
  "insecure-skip-tls-verify": {
    type: "boolean",
    help: "Do not verify the apiserver's certificate (insecure).",
  },
  as: { type: "string", value: "USER", help: "Impersonate this user (or service account)." },
  "as-group": {
    type: "string",
    multiple: true,
    value: "GROUP",
    help: "Impersonate this group, with --as; repeat for several.",
  },
  "request-timeout": {
    type: "string",
    value: "DURATION",
    help: "Give up on a request after this long (e.g. 10s, 1m; a bare number is seconds; 0: never).",
  },
  v: {
    type: "string",
    short: "v",
    value: "LEVEL",
    help: "Log level: 6 logs each request (method, URL, status, time) to stderr; 7 its headers too.",
  },
  "no-color": {
    type: "boolean",
    help: "No colors (also: NO_COLOR set, or output not a terminal).",
  },
  help: { type: "boolean", short: "h", help: "Help for the command." },
};
