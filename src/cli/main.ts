// kubectl-ramp's process: signals, stdio and the exit code around run.ts. bin/kubectl-ramp loads it
// through entry.js, which has turned Node's compile cache on already; run directly, it turns it on here,
// before anything else is loaded.
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
