// kubectl ramp migrate rollout NAME (Argo Rollouts) | migrate canary NAME (Flagger): a running app moves to
// a ramp Rollout that adopts its stable pods, none restarted.
// What the command runs, loaded only when it runs: --help and completion never load it.
import { type CliContext, describeError, EXIT } from "../../context.ts";
import { migrateClient } from "../../migrate/client.ts";
import { migrate, Refused } from "../../migrate/migrate.ts";
import type { SourceKind } from "../../migrate/read-source.ts";
import { timeoutOf } from "./get.ts";

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export async function run(ctx: CliContext, kind: SourceKind): Promise<number> {
  const ref = ctx.ref();
  const opts = {
    dryRun: ctx.bool("dry-run"),
    force: ctx.bool("force"),
    deleteSource: ctx.bool("delete-source"),
    timeoutMs: timeoutOf(ctx) || DEFAULT_TIMEOUT_MS,
  };
  try {
    await migrate(migrateClient(ctx.kubeConfig()), kind, ref, opts, {
      out: (l) => ctx.out(l),
      err: (l) => ctx.err(l),
      signal: ctx.io.signal,
    });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof Refused) {
      ctx.err(`error: refusing to migrate: ${err.lines[0]}`);
      for (const line of err.lines.slice(1)) ctx.err(line);
      return EXIT.failed;
    }
    ctx.err(describeError(err));
    return EXIT.failed;
  }
}
