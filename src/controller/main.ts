#!/usr/bin/env node
// ramp-controller: runs the Rollout controller against the current kubeconfig.
import { hostname } from "node:os";
import { createLogger } from "../observability/log.ts";
import { runController } from "./manager.ts";
import { parseOptions, USAGE } from "./options.ts";

let opts: ReturnType<typeof parseOptions>;
try {
  opts = parseOptions(process.argv.slice(2), process.env, hostname());
} catch (err) {
  process.stderr.write(`ramp-controller: ${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (opts === "help") {
  process.stdout.write(USAGE);
  process.exit(0);
}

const log = createLogger({ level: opts.logLevel });
const fatal = (reason: string, err?: unknown) => {
  log.fatal({ err }, reason);
  process.exit(1);
};
process.on("unhandledRejection", (err) => fatal("unhandled rejection", err));

const controller = await runController(opts, log, (reason) => fatal(reason)).catch((err: unknown) =>
  fatal("could not start", err),
);
log.info({ identity: opts.identity, leaderElect: opts.leaderElect }, "controller started");

// SIGTERM (a pod stopping): finish the reconcile in flight, release the lease, then exit.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    const force = setTimeout(() => fatal("shutdown took longer than 25s"), 25_000);
    force.unref();
    void controller
      ?.stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => fatal("shutdown failed", err));
  });
}
