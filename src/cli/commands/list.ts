// kubectl ramp list rollouts [-A] [-l SELECTOR] [--sort-by FIELD] [--no-headers] [-w]

import { type Command, type Option, outputOption } from "../command.ts";
import { type CliContext, describeError, EXIT } from "../context.ts";
import { treeReader } from "../inspect/fetch.ts";
import { kubeSource, listWatch } from "../inspect/list-watch.ts";
import { fieldPath, sortBy } from "../inspect/sort-by.ts";
import { renderRolloutTable } from "../inspect/table.ts";
import { formatObjects } from "../output.ts";

const OUTPUTS = ["table", "wide", "json", "yaml", "name"];

/** The listing flags `list` takes, and `get` without NAME. */
export const LIST_OPTIONS: Record<string, Option> = {
  selector: {
    type: "string",
    short: "l",
    value: "SELECTOR",
    help: "Only Rollouts whose labels match (e.g. -l app=web,tier!=cache), as kubectl.",
  },
  "sort-by": {
    type: "string",
    value: "FIELD",
    help: "Sort by a JSONPath field, e.g. .metadata.creationTimestamp or {.status.phase}.",
  },
  "no-headers": { type: "boolean", help: "No header row in table output." },
};

export const list: Command = {
  words: ["list", "rollouts"],
  aliases: [["list", "rollout"], ["list", "ro"], ["list", "rro"], ["list"]],
  usage:
    "kubectl ramp list rollouts [-A] [-l SELECTOR] [--sort-by FIELD] [--no-headers] [-w] [-o table|wide|json|yaml|name]",
  summary: "List Rollouts: name, strategy, phase, step, weight, ready pods, age",
  details:
    "--watch prints the list, then a row (or an object) each time a Rollout is added, changed or\n" +
    "deleted, as the apiserver's watch reports it, until Ctrl-C.",
  examples: [
    ["Rollouts of the current namespace", "kubectl ramp list rollouts"],
    ["Rollouts of every namespace, with images and messages", "kubectl ramp list rollouts -A -o wide"],
    [
      "Those labelled app=web, newest last",
      "kubectl ramp list rollouts -l app=web --sort-by .metadata.creationTimestamp",
    ],
    ["Follow every change", "kubectl ramp list rollouts -w"],
  ],
  options: {
    "all-namespaces": { type: "boolean", short: "A", help: "List the Rollouts of every namespace." },
    ...LIST_OPTIONS,
    watch: { type: "boolean", short: "w", help: "After the list, print each change until Ctrl-C." },
    output: outputOption(OUTPUTS, "table"),
  },
  outputs: OUTPUTS,
  args: { min: 0, max: 0 },
  run: listRollouts,
};

export async function listRollouts(ctx: CliContext): Promise<number> {
  const all = ctx.bool("all-namespaces");
  const namespace = all ? undefined : ctx.namespace();
  const selector = ctx.string("selector");
  const sortField = ctx.string("sort-by");
  const format = ctx.string("output") ?? "table";
  if (sortField) fieldPath(sortField);
  const kc = ctx.kubeConfig();
  const reader = treeReader(kc);
  const tableOpts = () => ({
    now: ctx.io.now().getTime(),
    allNamespaces: all,
    wide: format === "wide",
    paint: ctx.paint,
    keepOrder: sortField !== undefined,
  });
  const print = (items: unknown[], first: boolean) => {
    const sorted = sortField ? sortBy(items, sortField) : items;
    if (format === "json" || format === "yaml" || format === "name") {
      // A watch prints each object on its own, as kubectl get -w does.
      const docs = first && !ctx.bool("watch") ? [{ items: sorted }] : sorted;
      for (const doc of docs) for (const line of formatObjects(format, doc)) ctx.out(line);
      return;
    }
    // Rows of a watch are aligned as if under the header, which is printed only once.
    const noHeaders = ctx.bool("no-headers");
    const lines = renderRolloutTable(sorted, { ...tableOpts(), noHeaders: first && noHeaders });
    for (const line of first ? lines : lines.slice(1)) ctx.out(line);
  };
  const load = () => reader.rollouts(namespace, selector);

  const initial = await load();
  const items = initial.items ?? [];
  if (items.length === 0 && format !== "json" && format !== "yaml")
    ctx.err(all ? "No resources found" : `No resources found in ${namespace} namespace.`);
  else print(items, true);
  if (!ctx.bool("watch")) return EXIT.ok;

  // What was printed last of each Rollout, so a list after 410 Gone prints only what changed meanwhile.
  const seen = new Map<string, string | undefined>();
  const note = (o: unknown) => {
    const m = (o as { metadata?: { uid?: string; resourceVersion?: string } }).metadata;
    const changed = seen.get(m?.uid ?? "") !== m?.resourceVersion;
    seen.set(m?.uid ?? "", m?.resourceVersion);
    return changed;
  };
  for (const o of items) note(o);
  let preloaded: typeof initial | undefined = initial;
  const listOnce = async () => {
    const l = preloaded ?? (await load());
    preloaded = undefined;
    return l;
  };
  const path = `/apis/ramp.dev/v1alpha1${namespace === undefined ? "" : `/namespaces/${namespace}`}/rollouts`;
  await listWatch(
    kubeSource(kc, path, selector ? { labelSelector: selector } : {}, listOnce),
    {
      listed(again) {
        const changed = again.filter(note);
        if (changed.length > 0) print(changed, false);
      },
      changed(event) {
        note(event.object);
        print([event.object], false);
      },
      failed(err) {
        ctx.err(describeError(err));
      },
    },
    ctx.io.signal,
  );
  return EXIT.interrupted;
}
