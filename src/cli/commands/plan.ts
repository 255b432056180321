// kubectl ramp plan -f FILE|DIR|- [-f ...]: the timeline a Rollout's spec implies, before it is applied.
// kubectl ramp plan NAME: what the controller would write next and why (its own plan function, run
// against the live objects), with a dry run of the current step's Prometheus queries.
import { stringify } from "yaml";
import { type Command, outputOption } from "../command.ts";
import { type CliContext, describeError, EXIT, UsageError } from "../context.ts";
import { renderDryRuns } from "../inspect/dry-run.ts";
import { livePlan } from "../inspect/live-plan.ts";
import { type PlanOutput, planFiles } from "../inspect/plan-files.ts";
import { renderPlanView } from "../inspect/plan-view.ts";
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

/** The live plan of one Rollout: 0 when the controller can act on it, 1 when it would mark it Degraded. */
async function planNamed(ctx: CliContext): Promise<number> {
  if (Array.isArray(ctx.flags.filename) && ctx.flags.filename.length > 0)
    throw new UsageError("plan takes either NAME (live) or -f FILE (offline), not both");
  let result: Awaited<ReturnType<typeof livePlan>>;
  try {
    result = await livePlan(ctx.kubeConfig(), ctx.ref(), {
      analysis: !ctx.bool("no-analysis"),
      prometheusUrl: ctx.string("prometheus-url"),
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    ctx.err(describeError(err));
    return EXIT.failed;
  }
  const format = ctx.string("output") ?? "text";
  if (format === "json") ctx.out(JSON.stringify(result, null, 2));
  else if (format === "yaml") ctx.out(stringify(result, { lineWidth: 0 }).trimEnd());
  else if (!result.ok)
    ctx.err(
      `Rollout ${result.rollout}: the controller would mark it Degraded: ${result.reason}: ${result.message}`,
    );
  else for (const line of [...renderPlanView(result.plan), ...renderDryRuns(result.analysis)]) ctx.out(line);
  return result.ok ? EXIT.ok : EXIT.failed;
}

export const plan: Command = {
  words: ["plan"],
  usage:
    "kubectl ramp plan -f FILE|DIR|- [-f ...] [-o text|json|yaml]\n       kubectl ramp plan NAME [--prometheus-url URL] [--no-analysis] [-o text|json|yaml]",
  summary: "Show what a Rollout will do, step by step, before it is applied: weights, pods, pauses, analyses",
  details:
    "For each Rollout in the files: every canary step (or blue-green phase) with the canary and stable\n" +
    "weights, the pods of each version, what ends it (pods ready, a timed pause, an analysis, a person) and\n" +
    "its analyses' templates, found among the same files; then the minimum total time. Needs no cluster.\n" +
    "A document that is not a valid Rollout is reported as lint reports it (file, line, field) and the\n" +
    "others are still planned. Exit codes: 0 every Rollout planned, 1 an invalid Rollout or template, or no\n" +
    "Rollout in the files.\n" +
    "With NAME instead: the controller's own plan function run against the live objects now: the writes\n" +
    "it would make next, in its order, each with why; the status fields that change; its Events; when it\n" +
    "looks again. Then each Prometheus query of the current step's analysis, asked now, with today's value\n" +
    "and whether its conditions would pass (web and job metrics are not run). Reads only; writes nothing.\n" +
    "Exit codes: 0 planned, 1 the controller would mark the Rollout Degraded (the reason is printed) or the\n" +
    "cluster could not be read.",
  examples: [
    ["The timeline of a Rollout, for a pull request", "kubectl ramp plan -f deploy/rollout.yaml"],
    ["Every Rollout of a directory, as JSON", "kubectl ramp plan -f deploy/ -o json"],
    ["What kustomize renders", "kustomize build overlays/prod | kubectl ramp plan -f -"],
    ["What the controller will write next for web, and its analysis now", "kubectl ramp plan web -n shop"],
    [
      "The same, asking a port-forwarded Prometheus",
      "kubectl ramp plan web --prometheus-url http://127.0.0.1:9090",
    ],
  ],
  options: {
    filename: {
      type: "string",
      short: "f",
      multiple: true,
      value: "FILE",
      help: "A file, a directory (its .yaml, .yml and .json files, recursively) or - (stdin).",
    },
    "prometheus-url": {
      type: "string",
      value: "URL",
      help: "With NAME: ask this Prometheus instead of the templates' address (e.g. a port-forward).",
    },
    "no-analysis": { type: "boolean", help: "With NAME: do not dry-run the current step's queries." },
    output: outputOption(OUTPUTS, "text"),
  },
  outputs: OUTPUTS,
  args: { min: 0, max: 1 },
  async run(ctx) {
    if (ctx.positionals.length > 0) return planNamed(ctx);
    return printPlans(ctx, await plansFromFiles(ctx));
  },
};
