// kubectl ramp convert -f FILE|DIR|- [-R] | --from-cluster [-n NS | -A]  [-o DIR] [--strict]
// What the command runs, loaded only when it runs: --help and completion never load it.
import { type CliContext, describeError, EXIT, UsageError } from "../../context.ts";
import { argoReader } from "../../convert/cluster.ts";
import { convertAll } from "../../convert/dispatch.ts";
import { readSources } from "../../convert/inputs.ts";
import { formatDrop, formatReport, renderStream, writeDir } from "../../convert/output.ts";
import type { Drop, SourceDoc } from "../../convert/types.ts";

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The documents to convert, from -f or from the cluster. */
async function inputs(ctx: CliContext): Promise<{ docs: SourceDoc[]; errors: Drop[] }> {
  const names = ctx.flags.filename;
  const files = Array.isArray(names) && names.length > 0;
  const cluster = ctx.bool("from-cluster");
  if (files === cluster) throw new UsageError("convert needs -f FILE (or -f - for stdin) or --from-cluster");
  if (ctx.bool("all-namespaces") && !cluster) throw new UsageError("-A goes with --from-cluster");
  if (ctx.bool("recursive") && !files) throw new UsageError("-R goes with -f DIR");
  if (files) return readSources(names, ctx.bool("recursive"), ctx.io.stdin);
  const namespace = ctx.bool("all-namespaces") ? undefined : ctx.namespace();
  return { docs: await argoReader(ctx.kubeConfig()).read(namespace), errors: [] };
}

export async function run(ctx: CliContext): Promise<number> {
  let read: Awaited<ReturnType<typeof inputs>>;
  try {
    read = await inputs(ctx);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    ctx.err(describeError(err));
    return EXIT.failed;
  }
  const result = convertAll(read.docs, { inline: ctx.bool("inline") });
  const dir = ctx.string("output");
  if (dir) for (const path of writeDir(dir, result.outputs)) ctx.out(path);
  else if (result.outputs.length > 0) ctx.io.stdout.write(renderStream(result.outputs));
  for (const e of read.errors) ctx.err(formatDrop(e));
  for (const line of formatReport(result.drops, result.notes)) ctx.err(line);
  ctx.err(
    `${count(result.outputs.length, "object")} written; ${result.drops.length} not carried, ` +
      `${count(result.notes.length, "note")}`,
  );
  if (read.errors.length > 0) return EXIT.failed;
  return ctx.bool("strict") && result.drops.length > 0 ? EXIT.failed : EXIT.ok;
}
