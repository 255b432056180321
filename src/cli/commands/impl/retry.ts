// kubectl ramp retry NAME
// What the command runs, loaded only when it runs: --help and completion never load it.

import { retryRollout } from "../../actions/actions.ts";
import { rolloutClientOf } from "../../actions/client.ts";
import type { CliContext } from "../../context.ts";
import { EXIT } from "../../context.ts";

export async function run(ctx: CliContext): Promise<number> {
  const res = await retryRollout(rolloutClientOf(ctx.api()), ctx.ref());
  ctx.out(res.message);
  return EXIT.ok;
}
