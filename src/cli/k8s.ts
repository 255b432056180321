// @kubernetes/client-node, loaded on first use: about 0.4 s of CPU at start-up that --help, completing
// command words and the offline commands (lint, plan -f, convert -f) do without. require() of an ES
// module is synchronous on Node 24, so the callers stay synchronous.
import { createRequire } from "node:module";
import type * as ClientNode from "@kubernetes/client-node";

const require = createRequire(import.meta.url);

export const k8s = (): typeof ClientNode => require("@kubernetes/client-node") as typeof ClientNode;

/** An error from the apiserver (client-node's ApiException), told without loading client-node. */
export function isApiException(err: unknown): err is ClientNode.ApiException<unknown> {
  return err instanceof Error && err.name !== "" && "code" in err && "body" in err && "headers" in err;
}
