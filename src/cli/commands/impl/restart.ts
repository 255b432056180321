// kubectl ramp restart NAME
// What the command runs, loaded only when it runs: --help and completion never load it.

import { specClientOf } from "../../actions/client.ts";
import { restartRollout } from "../../actions/spec.ts";
import type { CliContext } from "../../context.ts";
import { EXIT } from "../../context.ts";

export async function run(ctx: CliContext): Promise<number> {
  const res = await restartRollout(specClientOf(ctx.api()), ctx.ref(), { now: ctx.io.now() });
  ctx.out(res.message);
  ctx.err(`warning: ${res.warning}`);
  return EXIT.ok;
}
