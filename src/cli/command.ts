// The shape of a `kubectl ramp` command: words that select it, its flags, help text and what it runs.
import type { CliContext } from "./context.ts";

export type Option = {
  type: "string" | "boolean";
  short?: string;
  /** Repeatable (e.g. -f FILE -f FILE). */
  multiple?: boolean;
  default?: string | boolean;
  /** Placeholder in help, e.g. FILE. */
  value?: string;
  help: string;
};

/** The kinds of object a NAME argument names: completion lists the namespace's objects of that kind. */
export const NAME_KINDS = {
  rollout: { group: "ramp.dev", version: "v1alpha1", plural: "rollouts" },
  "argo-rollout": { group: "argoproj.io", version: "v1alpha1", plural: "rollouts" },
  "flagger-canary": { group: "flagger.app", version: "v1beta1", plural: "canaries" },
} as const;
export type NameKind = keyof typeof NAME_KINDS;

export type Command = {
  /** The words that select it: ["promote"], ["set", "image"], ["get", "rollout"]. */
  words: string[];
  /** Other spellings of the words (e.g. ["get", "rollouts"]). */
  aliases?: string[][];
  usage: string;
  summary: string;
  /** More about what it does and its exit codes, for --help. */
  details?: string;
  examples: [comment: string, command: string][];
  options: Record<string, Option>;
  /** Values -o accepts, when the command takes -o. */
  outputs?: string[];
  /** NAME-like arguments: how many the command takes. */
  args: { min: number; max: number };
  /** What its NAME names, for completion (default: a ramp Rollout). */
  names?: NameKind;
  run(ctx: CliContext): Promise<number>;
};

export const outputOption = (outputs: string[], fallback: string): Option => ({
  type: "string",
  short: "o",
  value: "FORMAT",
  default: fallback,
  help: `Output format: ${outputs.join("|")}.`,
});
