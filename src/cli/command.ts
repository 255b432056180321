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
  run(ctx: CliContext): Promise<number>;
};

export const outputOption = (outputs: string[], fallback: string): Option => ({
  type: "string",
  short: "o",
  value: "FORMAT",
  default: fallback,
  help: `Output format: ${outputs.join("|")}.`,
});
