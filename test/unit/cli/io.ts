// An in-memory Io for running `kubectl ramp` command lines in unit tests.
import type { Io, Out } from "../../../src/cli/context.ts";
import { run } from "../../../src/cli/run.ts";

export type Captured = Out & { text: string };
export const capture = (tty = false, columns = 100, rows = 40): Captured => {
  const out: Captured = {
    text: "",
    isTTY: tty,
    columns,
    rows,
    write(s: string) {
      out.text += s;
      return true;
    },
  };
  return out;
};

/** Runs argv with no cluster behind it (KUBECONFIG names a missing file). */
export async function ramp(argv: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const stdout = capture();
  const stderr = capture();
  const io: Io = {
    stdout,
    stderr,
    stdin: async () => opts.stdin ?? "",
    env: { KUBECONFIG: "/nonexistent/kubeconfig", ...opts.env },
    signal: new AbortController().signal,
    now: () => new Date("2026-01-01T12:00:00Z"),
  };
  const code = await run(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
