// kubectl-ramp: the entry point bin/kubectl-ramp runs on Node 24. Everything else is in run.ts.
// Node's compile cache (in the system's temporary directory) keeps the stripped and compiled modules
// between runs, which halves start-up; it is turned on before anything else is loaded.
import { enableCompileCache } from "node:module";
import { text } from "node:stream/consumers";

enableCompileCache();
const { run } = await import("./run.ts");

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
