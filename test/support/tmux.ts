// A real terminal for tests of full-screen output: tmux, from Debian's packages when missing (installed
// the way prometheus.ts installs prometheus), driven with send-keys and read with capture-pane.
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const installHint = "sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y tmux";

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The tmux binary, installed with apt-get (as root) the first time. */
export function ensureTmuxInstalled(
  log: (line: string) => void = (l) => process.stderr.write(`ramp: ${l}\n`),
): string {
  const existing = onPath("tmux");
  if (existing) return existing;
  if (process.getuid?.() !== 0)
    throw new Error(`ramp: 'tmux' is not installed and installing it needs root. Run:\n  ${installHint}`);
  log("installing tmux with apt-get (first time only)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "tmux"]]) {
    const res = spawnSync("apt-get", args, { env, stdio: ["ignore", "inherit", "inherit"] });
    if (res.status !== 0)
      throw new Error(`ramp: apt-get ${args.join(" ")} failed (exit ${res.status ?? res.signal})`);
  }
  const installed = onPath("tmux");
  if (!installed) throw new Error("ramp: tmux is still not on PATH after apt-get install");
  return installed;
}

/** One detached tmux session on a private server (its own socket), running `command` in a W×H terminal. */
export class TmuxSession {
  readonly #tmux: string;
  readonly #socket = `ramp-test-${randomBytes(4).toString("hex")}`;
  readonly name = "main";

  private constructor(tmux: string) {
    this.#tmux = tmux;
  }

  static async start(command: string, opts: { width?: number; height?: number } = {}): Promise<TmuxSession> {
    const s = new TmuxSession(ensureTmuxInstalled());
    await s.#run([
      "new-session",
      "-d",
      "-s",
      s.name,
      "-x",
      String(opts.width ?? 160),
      "-y",
      String(opts.height ?? 50),
      command,
    ]);
    // Keep the pane after the command exits, so its last screen (and exit line) can still be read.
    await s.#run(["set-option", "-t", s.name, "remain-on-exit", "on"]);
    return s;
  }

  async #run(args: string[]): Promise<string> {
    const { stdout } = await exec(this.#tmux, ["-L", this.#socket, "-f", "/dev/null", ...args]);
    return stdout;
  }

  /** The visible screen, or with `history` everything that ever scrolled off it too. */
  capture(history = false): Promise<string> {
    return this.#run(["capture-pane", "-p", "-t", this.name, ...(history ? ["-S", "-"] : [])]);
  }

  async keys(...keys: string[]): Promise<void> {
    await this.#run(["send-keys", "-t", this.name, ...keys]);
  }

  /** Whether the pane's command has exited, and its status. */
  async exitStatus(): Promise<number | undefined> {
    const out = (
      await this.#run(["display-message", "-p", "-t", this.name, "#{pane_dead} #{pane_dead_status}"])
    ).trim();
    const [dead, status] = out.split(" ");
    return dead === "1" ? Number(status) : undefined;
  }

  /** Whether the terminal shows its cursor (a full-screen program hides it while it draws). */
  async cursorVisible(): Promise<boolean> {
    return (await this.#run(["display-message", "-p", "-t", this.name, "#{cursor_flag}"])).trim() === "1";
  }

  async kill(): Promise<void> {
    await this.#run(["kill-server"]).catch(() => {});
  }
}
