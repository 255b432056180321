// kubectl ramp set image NAME CONTAINER=IMAGE...
// What the command runs, loaded only when it runs: --help and completion never load it.

import { specClientOf } from "../../actions/client.ts";
import { type ImageChange, parseImageChange, setImage } from "../../actions/spec.ts";
import type { CliContext } from "../../context.ts";
import { EXIT, UsageError } from "../../context.ts";

export async function run(ctx: CliContext): Promise<number> {
  const changes = ctx.positionals.slice(1).map((arg): ImageChange => {
    const change = parseImageChange(arg);
    if (!change) throw new UsageError(`"${arg}" is not CONTAINER=IMAGE (or *=IMAGE for every container)`);
    return change;
  });
  const res = await setImage(specClientOf(ctx.api()), ctx.ref(), changes);
  ctx.out(res.message);
  if (res.warning) ctx.err(`warning: ${res.warning}`);
  return EXIT.ok;
}
