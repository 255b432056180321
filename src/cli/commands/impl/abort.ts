// kubectl ramp abort NAME [--reason TEXT]
// What the command runs, loaded only when it runs: --help and completion never load it.

import { abortRollout } from "../../actions/actions.ts";
import { rolloutClientOf } from "../../actions/client.ts";
import type { CliContext } from "../../context.ts";
import { EXIT } from "../../context.ts";

export async function run(ctx: CliContext): Promise<number> {
  const reason = ctx.string("reason");
  const res = await abortRollout(rolloutClientOf(ctx.api()), ctx.ref(), reason ? { reason } : {});
  ctx.out(res.message);
  return EXIT.ok;
}
