// kubectl ramp get rollout NAME [--watch]
// What the command runs, loaded only when it runs: --help and completion never load it.
import { LabelSelector, parseDuration } from "../../../api/index.ts";
import { ROLLOUT_LABEL } from "../../../api/labels.ts";
import { selectorString } from "../../../kube/selector.ts";
import type { RolloutRef } from "../../actions/client.ts";
import { type CliContext, describeError, EXIT, UsageError } from "../../context.ts";
import { type Selectors, type TreeKind, type TreeReader, treePath, treeReader } from "../../inspect/fetch.ts";
import { kubeSource, listWatch } from "../../inspect/list-watch.ts";
import { renderRolloutTree } from "../../inspect/tree.ts";
import type { RolloutTree } from "../../inspect/view.ts";
import { formatObjects } from "../../output.ts";
import { Screen } from "../../screen.ts";
import { list } from "../list.ts";

/** "table" is accepted for kubectl habits: for one Rollout the table is the tree. */

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

/**
 * Redraws the tree each time a watch on the Rollout, its ReplicaSets, pods or AnalysisRuns reports a
 * change (a burst of changes is one read); between changes only the ages move, drawn from what was read.
 */
async function watchTree(
  ctx: CliContext,
  reader: TreeReader,
  ref: RolloutRef,
  wide: boolean,
): Promise<number> {
  const timeoutMs = timeoutOf(ctx);
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.io.signal, stop.signal]);
  const timer = timeoutMs > 0 ? setTimeout(() => stop.abort(), timeoutMs) : undefined;
  const screen = new Screen(ctx.io.stdout);
  const api = ctx.api();
  let tree: RolloutTree | undefined;
  let error = "";
  const draw = () => {
    const opts = { paint: ctx.paint, wide };
    const lines = tree ? renderRolloutTree(tree, { ...opts, now: ctx.io.now().getTime() }) : [];
    // Plain output prints a frame only when more than the ages changed.
    const key = tree ? renderRolloutTree(tree, { ...opts, now: 0 }).join("\n") : "";
    screen.draw(error ? [...lines, ...(tree ? [""] : []), error] : lines, `${key}\n${error}`);
  };
  let reading: Promise<void> | undefined;
  let podsKnown: (v: unknown) => void = () => {};
  let again = false;
  const read = async () => {
    try {
      tree = await reader.rolloutTree(ref);
      error = "";
      podsKnown(undefined);
    } catch (err) {
      error = describeError(err);
    }
    draw();
  };
  const changed = () => {
    if (reading) {
      again = true;
      return;
    }
    reading = (async () => {
      do {
        again = false;
        await read();
      } while (again && !signal.aborted);
      reading = undefined;
    })();
  };
  const byRollout = `${ROLLOUT_LABEL}=${ref.name}`;
  const follow = (kind: TreeKind, query: Selectors) => {
    // No AnalysisRun CRD (404): that watch ends, the others go on.
    const gone = new AbortController();
    return listWatch(
      kubeSource(api, treePath(kind, ref.namespace), query, () => reader.list(kind, ref.namespace, query)),
      {
        listed: changed,
        changed,
        failed(err) {
          if (typeof err === "object" && err !== null && "code" in err && err.code === 404) gone.abort();
        },
      },
      AbortSignal.any([signal, gone.signal]),
    );
  };
  await read();
  const ages = setInterval(draw, 1000);
  try {
    const watches = [
      follow("rollouts", { fieldSelector: `metadata.name=${ref.name}` }),
      follow("replicasets", { labelSelector: byRollout }),
      follow("analysisruns", { labelSelector: byRollout }),
    ];
    // Pods carry the Rollout's selector, not its name: watched once the Rollout has been read.
    for (;;) {
      const selector = podSelector(tree);
      if (selector !== undefined) {
        // An empty selector selects no pods (as the tree reads them), not every pod.
        if (selector !== "") watches.push(follow("pods", { labelSelector: selector }));
        break;
      }
      if (signal.aborted) break;
      await new Promise((resolve) => {
        podsKnown = resolve;
        signal.addEventListener("abort", resolve, { once: true });
      });
    }
    await Promise.all(watches);
    await reading;
  } finally {
    clearInterval(ages);
    clearTimeout(timer);
    screen.close();
  }
  return ctx.io.signal.aborted ? EXIT.interrupted : EXIT.ok;
}

/** The label selector of the Rollout's pods, once the Rollout has been read. */
function podSelector(tree: RolloutTree | undefined): string | undefined {
  const parsed = LabelSelector.safeParse(
    (tree?.rollout as { spec?: { selector?: unknown } })?.spec?.selector,
  );
  return parsed.success ? selectorString(parsed.data) : undefined;
}

export async function run(ctx: CliContext): Promise<number> {
  if (ctx.positionals.length === 0) return list.run(ctx);
  const format = ctx.string("output") ?? "tree";
  const reader = treeReader(ctx.api());
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
  return watchTree(ctx, reader, ref, format === "wide");
}
