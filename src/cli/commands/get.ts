// kubectl ramp get rollout NAME [--watch]
import { setTimeout as sleep } from "node:timers/promises";
import { parseDuration } from "../../api/index.ts";
import { type Command, outputOption } from "../command.ts";
import { type CliContext, describeError, EXIT, UsageError } from "../context.ts";
import { treeReader } from "../inspect/fetch.ts";
import { renderRolloutTree } from "../inspect/tree.ts";
import { formatObjects } from "../output.ts";
import { Screen } from "../screen.ts";
import { list } from "./list.ts";

/** "table" is accepted for kubectl habits: for one Rollout the table is the tree. */
const OUTPUTS = ["tree", "table", "wide", "json", "yaml", "name"];

/** --timeout as milliseconds (0: none). */
export function timeoutOf(ctx: CliContext): number {
  const raw = ctx.string("timeout");
  if (raw === undefined || raw === "0") return 0;
  try {
    return parseDuration(raw, "--timeout");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const get: Command = {
  words: ["get", "rollout"],
  aliases: [
    ["get", "rollouts"],
    ["get", "ro"],
    ["get", "rro"],
  ],
  usage: "kubectl ramp get rollout NAME [--watch] [--timeout DURATION] [-o tree|wide|json|yaml|name]",
  summary: "Show a Rollout as a tree: status, steps, revisions, ReplicaSets, pods and AnalysisRuns",
  details:
    "--watch redraws the tree in place whenever it changes, until Ctrl-C or --timeout (exit code 0 then).\n" +
    "Without NAME it lists the namespace's Rollouts, as `list rollouts` does.",
  examples: [
    ["Show web", "kubectl ramp get rollout web"],
    ["Follow web as it ships a new version", "kubectl ramp get rollout web --watch"],
    ["The Rollout object itself", "kubectl ramp get rollout web -o yaml"],
  ],
  options: {
    watch: { type: "boolean", short: "w", help: "Redraw on every change." },
    timeout: {
      type: "string",
      value: "DURATION",
      help: "With --watch: stop after this long (e.g. 30s, 5m).",
    },
    "all-namespaces": { type: "boolean", short: "A", help: "Without NAME: Rollouts of every namespace." },
    output: outputOption(OUTPUTS, "tree"),
  },
  outputs: OUTPUTS,
  args: { min: 0, max: 1 },
  async run(ctx) {
    if (ctx.positionals.length === 0) return list.run(ctx);
    const format = ctx.string("output") ?? "tree";
    const reader = treeReader(ctx.kubeConfig());
    const ref = ctx.ref();
    if (format === "json" || format === "yaml" || format === "name") {
      for (const line of formatObjects(format, (await reader.rolloutTree(ref)).rollout)) ctx.out(line);
      return EXIT.ok;
    }
    const render = async (now: number) =>
      renderRolloutTree(await reader.rolloutTree(ref), { now, paint: ctx.paint, wide: format === "wide" });
    if (!ctx.bool("watch")) {
      for (const line of await render(ctx.io.now().getTime())) ctx.out(line);
      return EXIT.ok;
    }
    const timeoutMs = timeoutOf(ctx);
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
    const screen = new Screen(ctx.io.stdout);
    const signal = ctx.io.signal;
    try {
      let lines: string[] = [];
      let key = "";
      while (!signal.aborted && Date.now() < deadline) {
        try {
          const tree = await reader.rolloutTree(ref);
          const opts = { paint: ctx.paint, wide: format === "wide" };
          lines = renderRolloutTree(tree, { ...opts, now: ctx.io.now().getTime() });
          // Plain output prints a frame only when more than the ages changed.
          key = renderRolloutTree(tree, { ...opts, now: 0 }).join("\n");
          screen.draw(lines, key);
        } catch (err) {
          screen.draw([...lines, "", describeError(err)], `${key}\n${describeError(err)}`);
        }
        await sleep(Math.min(1000, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(
          () => {},
        );
      }
    } finally {
      screen.close();
    }
    return signal.aborted ? EXIT.interrupted : EXIT.ok;
  },
};
