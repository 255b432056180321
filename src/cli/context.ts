// What every command gets: its parsed flags, where to write, the kubeconfig (loaded only when needed)
// and the namespace, following kubectl's conventions.

import { createRequire } from "node:module";
import type { RolloutRef } from "./actions/client.ts";
import type { ConnectionFlags, KubeApi } from "./api.ts";
import type { PluginKubeConfig } from "./connect.ts";
import { colored, type Paint, plain, useColor } from "./inspect/format.ts";
import { isApiException, k8s } from "./k8s.ts";

/** Exit codes, documented in `--help` and docs/plugin.md. */
export const EXIT = {
  ok: 0,
  /** Refused action, lint findings, a Degraded rollout, or an error from the cluster. */
  failed: 1,
  /** `status` gave up waiting (--timeout), or `--watch=false` found the rollout not done yet. */
  timeout: 2,
  /** Bad command line (unknown flag, missing NAME): distinct from 2 so CI can tell a typo from a timeout. */
  usage: 64,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

const require = createRequire(import.meta.url);

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A stream the command writes to: process.stdout in real life, a buffer in tests. */
export type Out = {
  write(s: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  rows?: number | undefined;
};

export type Io = {
  stdout: Out;
  stderr: Out;
  stdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: watches stop and restore the terminal. */
  signal: AbortSignal;
  now: () => Date;
};

export type Flags = Record<string, string | boolean | string[] | undefined>;

export class CliContext {
  readonly io: Io;
  readonly flags: Flags;
  readonly positionals: string[];
  #kc: PluginKubeConfig | undefined;
  #api: KubeApi | undefined;

  constructor(io: Io, flags: Flags, positionals: string[]) {
    this.io = io;
    this.flags = flags;
    this.positionals = positionals;
  }

  get paint(): Paint {
    const color = useColor({
      isTTY: this.io.stdout.isTTY === true,
      noColorFlag: this.flags["no-color"] === true,
      env: this.io.env,
    });
    return color ? colored : plain;
  }

  string(name: string): string | undefined {
    const v = this.flags[name];
    return typeof v === "string" ? v : undefined;
  }

  bool(name: string): boolean {
    return this.flags[name] === true;
  }

  /**
   * The cluster's API, from the kubeconfig merged as kubectl merges it and the connection flags: without
   * client-node (api.ts) unless the kubeconfig needs it (connect.ts).
   */
  api(): KubeApi {
    if (this.#api) return this.#api;
    const { lightApi } = require("./api.ts") as typeof import("./api.ts");
    const flags = this.flags as ConnectionFlags;
    this.#api = lightApi(flags, this.io.env, (line) => this.err(line));
    if (!this.#api) {
      const { clientNodeApi } = require("./connect.ts") as typeof import("./connect.ts");
      this.#api = clientNodeApi(this.kubeConfig());
    }
    return this.#api;
  }

  /** The names of the merged kubeconfig's contexts, clusters or users (for completion; no request). */
  kubeconfigNames(kind: "contexts" | "clusters" | "users"): string[] {
    const { kubeconfigFiles, mergeKubeconfigs } =
      require("../kube/kubeconfig.ts") as typeof import("../kube/kubeconfig.ts");
    const files = kubeconfigFiles(this.string("kubeconfig"), this.io.env);
    return files.length === 0 ? [] : mergeKubeconfigs(files)[kind].map((e) => e.name);
  }

  /** client-node's KubeConfig, merged as kubectl merges it (connect.ts), for commands built on it. */
  kubeConfig(): PluginKubeConfig {
    if (this.#kc) return this.#kc;
    // Loaded here, on first use, with client-node (k8s.ts): commands that never reach the cluster skip both.
    const { loadKubeConfig } = require("./connect.ts") as typeof import("./connect.ts");
    const kc = loadKubeConfig(k8s(), this.flags as ConnectionFlags, this.io.env, (line) => this.err(line));
    this.#kc = kc;
    return kc;
  }

  /** -n, else the kubeconfig context's namespace, else "default" (as kubectl). */
  namespace(): string {
    const flag = this.string("namespace");
    if (flag) return flag;
    return this.api().namespace;
  }

  /** The NAME argument at `index` of the command's positionals, as a reference in the namespace. */
  ref(index = 0): RolloutRef {
    const name = this.positionals[index];
    if (!name) throw new UsageError("NAME is required");
    return { namespace: this.namespace(), name };
  }

  out(line = ""): void {
    this.io.stdout.write(`${line}\n`);
  }

  err(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }
}

/** A cluster error as kubectl prints it: `Error from server (NotFound): rollouts.ramp.dev "web" not found`. */
export function describeError(err: unknown): string {
  if (isApiException(err)) {
    const body: unknown = typeof err.body === "string" ? safeJson(err.body) : err.body;
    if (body && typeof body === "object" && "message" in body) {
      const reason = "reason" in body && typeof body.reason === "string" ? ` (${body.reason})` : "";
      return `Error from server${reason}: ${String(body.message)}`;
    }
    return `Error from server: HTTP ${err.code}`;
  }
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `error: ${err.message}${cause}`;
  }
  return `error: ${String(err)}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
