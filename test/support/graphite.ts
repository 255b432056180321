// A real Graphite for the graphite provider's tests: Debian's graphite-web (Django) on a free loopback port,
// with its own settings module and storage in a temp directory, reading whisper files the test writes with
// Debian's python3-whisper. Installed by the test setup when missing (root + apt-get, non-interactive).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const PACKAGES = ["graphite-web", "python3-whisper"];
// Debian's interpreter: graphite and Django are installed for it, not for a pyenv or venv python3.
const PYTHON = "/usr/bin/python3";
const GRAPHITE = "/usr/lib/python3/dist-packages/graphite/settings.py";
const WHISPER = "/usr/lib/python3/dist-packages/whisper.py";
const installHint = `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES.join(" ")}`;

const installed = () => existsSync(GRAPHITE) && existsSync(WHISPER);

/** Installs Debian's graphite-web and python3-whisper when missing (a stat when installed). */
export function ensureGraphiteInstalled(
  log: (line: string) => void = (l) => process.stderr.write(`ramp: ${l}\n`),
): void {
  if (installed()) return;
  if (process.getuid?.() !== 0)
    throw new Error(`ramp: Graphite is not installed and installing it needs root. Run:\n  ${installHint}`);
  log(`installing ${PACKAGES.join(" ")} with apt-get (first time only, about a minute)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", ...PACKAGES]]) {
    const res = spawnSync("apt-get", args, { env, stdio: ["ignore", 2, 2] });
    if (res.status !== 0)
      throw new Error(`ramp: apt-get ${args.join(" ")} failed (exit ${res.status ?? res.signal})`);
  }
  if (!installed())
    throw new Error(`ramp: apt-get installed ${PACKAGES.join(" ")} but ${GRAPHITE} is missing`);
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok, fail) => srv.listen(0, "127.0.0.1", ok).once("error", fail));
  const addr = srv.address();
  await new Promise((ok) => srv.close(ok));
  if (!addr || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

// Read by graphite.settings (GRAPHITE_SETTINGS_MODULE) before it derives WHISPER_DIR, INDEX_FILE and the database.
const settings = (dir: string) =>
  [
    `STORAGE_DIR = ${JSON.stringify(dir)}`,
    `LOG_DIR = ${JSON.stringify(join(dir, "log"))}`,
    "SECRET_KEY = 'ramp-test-only'",
    "TAGDB = ''",
    "",
  ].join("\n");

/** Points of one series: [seconds before now, value]; null writes nothing at that time. */
export type Points = [number, number | null][];

const WRITE = `
import json, sys, time, whisper
path, points = sys.argv[1], json.loads(sys.argv[2])
now = int(time.time())
whisper.create(path, [(10, 360)], xFilesFactor=0)
whisper.update_many(path, [(now - age, v) for age, v in points if v is not None])
`;

export class Graphite {
  readonly url: string;
  readonly dir: string;
  private readonly proc: ChildProcess;
  private constructor(url: string, dir: string, proc: ChildProcess) {
    this.url = url;
    this.dir = dir;
    this.proc = proc;
  }

  /** Starts graphite-web (Django's runserver, no reloader) and waits until it answers. */
  static async start(): Promise<Graphite> {
    ensureGraphiteInstalled();
    const dir = mkdtempSync(join(tmpdir(), "ramp-graphite-"));
    mkdirSync(join(dir, "log"));
    mkdirSync(join(dir, "whisper"));
    writeFileSync(join(dir, "ramp_graphite_settings.py"), settings(dir));
    const port = await freePort();
    const out = openSync(join(dir, "log", "server.log"), "a");
    const proc = spawn(PYTHON, ["-m", "django", "runserver", "--noreload", `127.0.0.1:${port}`], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        PYTHONPATH: dir,
        GRAPHITE_SETTINGS_MODULE: "ramp_graphite_settings",
        DJANGO_SETTINGS_MODULE: "graphite.settings",
      },
      stdio: ["ignore", out, out],
    });
    const g = new Graphite(`http://127.0.0.1:${port}`, dir, proc);
    await g.ready();
    return g;
  }

  private async ready(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) break;
      const ok = await fetch(`${this.url}/render?target=none&format=json`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    const log = readFileSync(join(this.dir, "log", "server.log"), "utf8");
    await this.stop();
    throw new Error(`graphite-web did not answer at ${this.url} within 30 s:\n${log.slice(-2000)}`);
  }

  /** Writes a series (a.b.c → whisper/a/b/c.wsp) with 10 s points, as carbon-cache would store it. */
  write(name: string, points: Points): void {
    const path = `${join(this.dir, "whisper", ...name.split("."))}.wsp`;
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    const res = spawnSync(PYTHON, ["-c", WRITE, path, JSON.stringify(points)], { encoding: "utf8" });
    if (res.status !== 0) throw new Error(`whisper write of ${name} failed: ${res.stderr}`);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once("exit", r));
      this.proc.kill("SIGTERM");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
