// kubectl ramp status NAME [--watch] [--timeout 5m] [--fail-on-pause]
// What the command runs, loaded only when it runs: --help and completion never load it.

import { rolloutClientOf } from "../../actions/client.ts";
import type { CliContext } from "../../context.ts";
import { EXIT } from "../../context.ts";
import { waitForRollout } from "../../inspect/status.ts";
import { timeoutOf } from "./get.ts";

export async function run(ctx: CliContext): Promise<number> {
  const timeoutMs = timeoutOf(ctx);
  const ref = ctx.ref();
  const client = rolloutClientOf(ctx.api());
  const paint = ctx.paint;
  const res = await waitForRollout((r) => client.get(r), ref, {
    watch: ctx.bool("watch"),
    timeoutMs,
    failOnPause: ctx.bool("fail-on-pause"),
    onLine: (line) => ctx.out(line),
    signal: ctx.io.signal,
  });
  if (res.outcome === "healthy") return EXIT.ok;
  if (res.outcome === "failed") {
    ctx.err(paint.bad(`rollout "${ref.name}" failed: ${res.line}`));
    return EXIT.failed;
  }
  if (res.outcome === "interrupted") return EXIT.interrupted;
  ctx.err(`rollout "${ref.name}" is not done${ctx.bool("watch") ? " after the timeout" : ""}: ${res.line}`);
  return EXIT.timeout;
}
