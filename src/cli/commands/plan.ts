// kubectl ramp plan -f FILE|DIR|- [-f ...]: the timeline a Rollout's spec implies, before it is applied.
// The plans come from a source (today: files, offline) and are printed by printPlans, which a live source
// (`plan NAME` against a cluster) can share.
import { stringify } from "yaml";
import { type Command, outputOption } from "../command.ts";
import { type CliContext, EXIT, UsageError } from "../context.ts";
import { type PlanOutput, planFiles } from "../inspect/plan-files.ts";
import { renderPlan } from "../inspect/timeline-text.ts";
import { readInputs } from "../lint/inputs.ts";
import { formatFindings } from "../lint/lint.ts";

const OUTPUTS = ["text", "json", "yaml"];

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Plans of every Rollout in the -f files, with the templates among them. */
async function plansFromFiles(ctx: CliContext): Promise<PlanOutput> {
  const names = ctx.flags.filename;
  if (!Array.isArray(names) || names.length === 0)
    throw new UsageError("plan needs -f FILE (or -f - for stdin)");
  return planFiles(await readInputs(names, ctx.io.stdin));
}

/** Prints the plans in the -o format and the findings; 0 when every Rollout was planned, else 1. */
export function printPlans(ctx: CliContext, result: PlanOutput): number {
  const { rollouts, errors } = result;
  const format = ctx.string("output") ?? "text";
  if (format === "json") ctx.out(JSON.stringify(result, null, 2));
  else if (format === "yaml") ctx.out(stringify(result, { lineWidth: 0 }).trimEnd());
  else
    rollouts.forEach((plan, i) => {
      if (i > 0) ctx.out();
      for (const line of renderPlan(plan, plan, ctx.paint)) ctx.out(line);
    });
  if (rollouts.length === 0 && errors.length === 0) {
    ctx.err("error: no ramp.dev/v1alpha1 Rollout in the files");
    return EXIT.failed;
  }
  if (errors.length === 0) return EXIT.ok;
  if (format === "text") {
    for (const line of formatFindings(errors)) ctx.err(line);
    ctx.err(`${count(rollouts.length, "Rollout")} planned, ${count(errors.length, "error")}`);
  }
  return EXIT.failed;
}

export const plan: Command = {
  words: ["plan"],
  usage: "kubectl ramp plan -f FILE|DIR|- [-f ...] [-o text|json|yaml]",
  summary: "Show what a Rollout will do, step by step, before it is applied: weights, pods, pauses, analyses",
  details:
    "For each Rollout in the files: every canary step (or blue-green phase) with the canary and stable\n" +
    "weights, the pods of each version, what ends it (pods ready, a timed pause, an analysis, a person) and\n" +
    "its analyses' templates, found among the same files; then the minimum total time. Needs no cluster.\n" +
    "A document that is not a valid Rollout is reported as lint reports it (file, line, field) and the\n" +
    "others are still planned. Exit codes: 0 every Rollout planned, 1 an invalid Rollout or template, or no\n" +
    "Rollout in the files.",
  examples: [
    ["The timeline of a Rollout, for a pull request", "kubectl ramp plan -f deploy/rollout.yaml"],
    ["Every Rollout of a directory, as JSON", "kubectl ramp plan -f deploy/ -o json"],
    ["What kustomize renders", "kustomize build overlays/prod | kubectl ramp plan -f -"],
  ],
  options: {
    filename: {
      type: "string",
      short: "f",
      multiple: true,
      value: "FILE",
      help: "A file, a directory (its .yaml, .yml and .json files, recursively) or - (stdin).",
    },
    output: outputOption(OUTPUTS, "text"),
  },
  outputs: OUTPUTS,
  args: { min: 0, max: 0 },
  async run(ctx) {
    return printPlans(ctx, await plansFromFiles(ctx));
  },
};
