// Long-lived component processes: started detached so they outlive the test run that started them,
// logged to `<logs>/<name>.log`, remembered by PID file, and stopped by PID only.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  logsDir: string;
  pidsDir: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunningProcess {
  name: string;
  pid: number;
  command: string;
}

export function logFile(logsDir: string, name: string): string {
  return join(logsDir, `${name}.log`);
}

export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  await mkdir(spec.logsDir, { recursive: true });
  await mkdir(spec.pidsDir, { recursive: true });
  const fd = openSync(logFile(spec.logsDir, spec.name), "a");
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: spec.env ?? process.env,
    });
    const pid = await new Promise<number>((resolvePid, reject) => {
      child.once("error", (cause) =>
        reject(new Error(`ramp: could not start ${spec.name} (${spec.command})`, { cause })),
      );
      child.once("spawn", () => {
        if (child.pid === undefined) reject(new Error(`ramp: ${spec.name} started without a PID`));
        else resolvePid(child.pid);
      });
    });
    child.unref();
    await writeFile(join(spec.pidsDir, `${spec.name}.pid`), `${pid}\n`);
    return { name: spec.name, pid, command: spec.command };
  } finally {
    closeSync(fd);
  }
}

/**
 * True while `pid` runs `command`. Checking the command line guards against a recycled PID; a zombie
 * (exited, not yet reaped by its parent) counts as dead.
 */
export function isRunning(pid: number, command?: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false;
    if (command === undefined) return true;
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
    return argv0 === command;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(proc: RunningProcess, graceMs = 10_000): Promise<void> {
  if (!isRunning(proc.pid, proc.command)) return;
  signal(proc.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(proc.pid, proc.command)) return;
    await sleep(50);
  }
  signal(proc.pid, "SIGKILL");
  for (let i = 0; i < 100 && isRunning(proc.pid, proc.command); i++) await sleep(50);
  if (isRunning(proc.pid, proc.command)) {
    throw new Error(`ramp: ${proc.name} (pid ${proc.pid}) survived SIGKILL`);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    // ESRCH: it exited between the check and the signal, which is what we wanted.
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** PIDs recorded in `pidsDir`, for cleaning up after a start that died before writing its state file. */
export async function readPidFiles(pidsDir: string): Promise<{ name: string; pid: number }[]> {
  let entries: string[];
  try {
    entries = await readdir(pidsDir);
  } catch {
    return [];
  }
  const found: { name: string; pid: number }[] = [];
  for (const entry of entries) {
    if (!entry.endsWith(".pid")) continue;
    const pid = Number((await readFile(join(pidsDir, entry), "utf8")).trim());
    if (Number.isInteger(pid) && pid > 0) found.push({ name: entry.slice(0, -4), pid });
  }
  return found;
}

/** The last `lines` lines of a component's log, for error messages. */
export function tailLog(logsDir: string, name: string, lines = 15): string {
  try {
    const text = readFileSync(logFile(logsDir, name), "utf8").trimEnd();
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
