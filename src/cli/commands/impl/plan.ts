// kubectl ramp plan -f FILE|DIR|- [-f ...]: the timeline a Rollout's spec implies, before it is applied.
// kubectl ramp plan NAME: what the controller would write next and why (its own plan function, run
// against the live objects), with a dry run of the current step's Prometheus queries.
// What the command runs, loaded only when it runs: --help and completion never load it.
import { stringify } from "yaml";
import { type CliContext, describeError, EXIT, UsageError } from "../../context.ts";
import { renderDryRuns } from "../../inspect/dry-run.ts";
import { livePlan } from "../../inspect/live-plan.ts";
import { type PlanOutput, planFiles } from "../../inspect/plan-files.ts";
import { renderPlanView } from "../../inspect/plan-view.ts";
import { renderPlan } from "../../inspect/timeline-text.ts";
import { readInputs } from "../../lint/inputs.ts";
import { formatFindings } from "../../lint/lint.ts";

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

export async function run(ctx: CliContext): Promise<number> {
  if (ctx.positionals.length > 0) return planNamed(ctx);
  return printPlans(ctx, await plansFromFiles(ctx));
}
