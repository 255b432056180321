// kubectl ramp list rollouts [-A] [-l SELECTOR] [--sort-by FIELD] [--no-headers] [-w]
// What the command runs, loaded only when it runs: --help and completion never load it.
import { type CliContext, describeError, EXIT } from "../../context.ts";
import { treeReader } from "../../inspect/fetch.ts";
import { kubeSource, listWatch } from "../../inspect/list-watch.ts";
import { fieldPath, sortBy } from "../../inspect/sort-by.ts";
import { renderRolloutTable } from "../../inspect/table.ts";
import { formatObjects } from "../../output.ts";

export async function listRollouts(ctx: CliContext): Promise<number> {
  const sortField = ctx.string("sort-by");
  // A malformed --sort-by is a usage error before the kubeconfig is even read.
  if (sortField) fieldPath(sortField);
  const all = ctx.bool("all-namespaces");
  const namespace = all ? undefined : ctx.namespace();
  const selector = ctx.string("selector");
  const format = ctx.string("output") ?? "table";
  const api = ctx.api();
  const reader = treeReader(api);
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
    kubeSource(api, path, selector ? { labelSelector: selector } : {}, listOnce),
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
