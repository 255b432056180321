// kubectl ramp undo NAME [--to-revision N]
// What the command runs, loaded only when it runs: --help and completion never load it.

import { specClientOf } from "../../actions/client.ts";
import { undoRollout } from "../../actions/undo.ts";
import type { CliContext } from "../../context.ts";
import { EXIT, UsageError } from "../../context.ts";

export async function run(ctx: CliContext): Promise<number> {
  const raw = ctx.string("to-revision");
  const toRevision = raw === undefined ? 0 : Number(raw);
  if (!(Number.isInteger(toRevision) && toRevision >= 0))
    throw new UsageError(`--to-revision: "${raw}" is not a revision number (1, 2, …; 0 is the previous one)`);
  const res = await undoRollout(specClientOf(ctx.api()), ctx.ref(), toRevision ? { toRevision } : {});
  ctx.out(res.message);
  ctx.err(`warning: ${res.warning}`);
  return EXIT.ok;
}
