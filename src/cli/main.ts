// kubectl-ramp: the entry point bin/kubectl-ramp runs on Node 24. Everything else is in run.ts.
import { text } from "node:stream/consumers";
import { run } from "./run.ts";

const controller = new AbortController();
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // A second Ctrl-C ends at once; the first lets a watch restore the terminal.
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
  });
}

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: () => text(process.stdin),
  env: process.env,
  signal: controller.signal,
  now: () => new Date(),
});
