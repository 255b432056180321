// A real Prometheus for analysis tests: Debian's package, started by us (never by a service manager) on
// 127.0.0.1 with its own config and a throwaway TSDB.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { stringify } from "yaml";
import { freePort, pollUntil } from "./cluster/health.ts";
import { isRunning, stopProcess, tailLog } from "./cluster/processes.ts";

const installHint =
  "sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus";

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function prometheusPath(): string {
  const found = onPath("prometheus");
  if (!found) throw new Error(`ramp: 'prometheus' is not on PATH. Install it: ${installHint}`);
  return found;
}

export function promtoolPath(): string {
  const found = onPath("promtool");
  if (!found)
    throw new Error(`ramp: 'promtool' is not on PATH (it ships with prometheus). Install it: ${installHint}`);
  return found;
}

// PIDs of every process running `binary`, found through /proc.
function processesRunning(binary: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0")[0] === binary) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/**
 * Installs Debian's prometheus (server + promtool) when it is not on PATH. The package's own service
 * would listen on 0.0.0.0:9090, so if the install started it, it is stopped and disabled.
 */
export async function ensurePrometheusInstalled(
  log: (line: string) => void = (l) => process.stderr.write(`ramp: ${l}\n`),
): Promise<string> {
  const existing = onPath("prometheus");
  if (existing) return existing;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `ramp: 'prometheus' is not installed and installing it needs root. Run:\n  ${installHint}`,
    );
  }
  log("installing prometheus with apt-get (first time only)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args: string[]) => {
    const res = spawnSync("apt-get", args, { env, stdio: ["ignore", "inherit", "inherit"] });
    if (res.status !== 0)
      throw new Error(`ramp: apt-get ${args.join(" ")} failed (exit ${res.status ?? res.signal})`);
  };
  apt(["update"]);
  // No recommends: they bring prometheus-node-exporter, another service listening on 0.0.0.0.
  apt(["install", "-y", "--no-install-recommends", "prometheus"]);
  await stopPackagedService(log);
  return prometheusPath();
}

async function stopPackagedService(log: (line: string) => void): Promise<void> {
  const quiet = { stdio: "ignore" as const };
  // Where systemd runs, this stops it and keeps it from coming back; elsewhere these simply fail.
  spawnSync("systemctl", ["disable", "--now", "prometheus"], quiet);
  if (existsSync("/etc/init.d/prometheus")) spawnSync("update-rc.d", ["prometheus", "disable"], quiet);
  for (const pid of processesRunning("/usr/bin/prometheus")) {
    log(`stopping the prometheus service the package started (pid ${pid})`);
    await stopProcess({ name: "prometheus (packaged service)", pid, command: "/usr/bin/prometheus" });
  }
}

export interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  metrics_path?: string;
  scrape_interval?: string;
  [key: string]: unknown;
}

export interface StartPrometheusOptions {
  /** Scrape jobs; a function receives Prometheus' own address ("127.0.0.1:PORT") so it can scrape itself. */
  scrapeConfigs: ScrapeConfig[] | ((self: string) => ScrapeConfig[]);
  /** Default: a free port. */
  port?: number;
  /** Default "1s", so tests see data quickly. */
  scrapeInterval?: string;
  /** Default "1s". */
  evaluationInterval?: string;
  /** Absolute paths of rule files. */
  ruleFiles?: string[];
  /**
   * Resolve only after every static target has been scraped once (default true). Prometheus 2.42 applies
   * new targets on a fixed 5 s tick, so without this the first samples appear ~5 s after start.
   */
  waitForTargets?: boolean;
  /**
   * Serve HTTPS with this certificate and key (PEM files), through Prometheus' --web.config.file
   * tls_server_config; `ca` (PEM) is what this module trusts to see it ready. reload() stays plain-HTTP only.
   */
  tls?: { certFile: string; keyFile: string; ca: string };
  /**
   * Require HTTP basic auth from every client, through --web.config.file basic_auth_users (a bcrypt hash
   * made here); this module's own readiness checks and reload() send it.
   */
  basicAuth?: { username: string; password: string };
}

export interface PrometheusHandle {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  pid: number;
  configFile: string;
  /**
   * Rewrites the config when `next` is given, asks Prometheus to reload it (/-/reload) and, unless
   * waitForTargets is false, waits until every static target was scraped once (up to ~5 s).
   */
  reload(next?: Partial<Pick<StartPrometheusOptions, "scrapeConfigs" | "ruleFiles">>): Promise<void>;
  /** Stops the server and deletes its TSDB and config. */
  stop(): Promise<void>;
}

function scrapeConfigsOf(opts: StartPrometheusOptions, self: string): ScrapeConfig[] {
  return typeof opts.scrapeConfigs === "function" ? opts.scrapeConfigs(self) : opts.scrapeConfigs;
}

function renderConfig(opts: StartPrometheusOptions, self: string): string {
  const scrape = scrapeConfigsOf(opts, self);
  return stringify({
    global: {
      scrape_interval: opts.scrapeInterval ?? "1s",
      scrape_timeout: opts.scrapeInterval ?? "1s",
      evaluation_interval: opts.evaluationInterval ?? "1s",
    },
    ...(opts.ruleFiles?.length ? { rule_files: opts.ruleFiles } : {}),
    scrape_configs: scrape,
  });
}

// A child that outlives a crashed test would hold its port; kill what we started when node exits.
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

// bcrypt's own base64 alphabet (OpenBSD), for the 22-character salt.
const BCRYPT_B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function bcryptBase64(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += BCRYPT_B64[(value >> bits) & 63];
    }
  }
  return bits > 0 ? out + BCRYPT_B64[(value << (6 - bits)) & 63] : out;
}

/**
 * A bcrypt hash of `password` (cost 4: a throwaway test credential) for basic_auth_users. Node has no
 * bcrypt, so libcrypt does it through perl's crypt(), which Debian always has; the password goes on stdin.
 */
export function bcryptHash(password: string): string {
  const setting = `$2b$04$${bcryptBase64(randomBytes(16))}`;
  const hash = execFileSync("perl", ["-e", "my $p = <STDIN>; print crypt($p, $ARGV[0])", setting], {
    input: password,
    encoding: "utf8",
  });
  if (!hash.startsWith("$2b$04$") || hash.length !== 60)
    throw new Error(`ramp: perl's crypt() made no bcrypt hash (got "${hash.slice(0, 8)}…")`);
  return hash;
}

type Probe = { ca?: string | undefined; authorization?: string | undefined };
/** GET with an optional CA and Authorization header: status and body, or throws on a network error. */
function get(url: string, probe: Probe): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const request = u.protocol === "https:" ? httpsRequest : httpRequest;
  const headers = probe.authorization ? { authorization: probe.authorization } : {};
  return new Promise((resolve, reject) => {
    const req = request(u, { headers, timeout: 2_000, ...(probe.ca ? { ca: probe.ca } : {}) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

interface TargetsResponse {
  data: { activeTargets: { health: string; scrapePool: string; discoveredLabels: Record<string, string> }[] };
}

// Every static target of the current config has a scrape result (up or down), so queries see data.
async function waitForFirstScrapes(url: string, scrape: ScrapeConfig[], probe: Probe): Promise<void> {
  const expected = scrape.flatMap((job) =>
    (job.static_configs ?? []).flatMap((c) => c.targets.map((address) => `${job.job_name}|${address}`)),
  );
  if (expected.length === 0) return;
  await pollUntil(
    `prometheus ${url} to scrape ${expected.map((e) => e.replace("|", " ")).join(", ")} once`,
    async () => {
      try {
        const res = await get(`${url}/api/v1/targets?state=active`, probe);
        const body = JSON.parse(res.body) as TargetsResponse;
        const scraped = new Set(
          body.data.activeTargets
            .filter((t) => t.health !== "unknown")
            .map((t) => `${t.scrapePool}|${t.discoveredLabels.__address__}`),
        );
        return expected.every((e) => scraped.has(e));
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

/** Starts the server with its TSDB in `dir` and its output in `dir`/`logName`.log. */
function spawnPrometheus(binary: string, dir: string, logName: string, flags: string[]): ChildProcess {
  const fd = openSync(join(dir, `${logName}.log`), "a");
  const child = spawn(
    binary,
    [
      ...flags,
      `--storage.tsdb.path=${join(dir, "data")}`,
      "--web.enable-lifecycle",
      "--storage.tsdb.retention.time=1d",
    ],
    { stdio: ["ignore", fd, fd] },
  );
  closeSync(fd);
  children.add(child);
  return child;
}

/** The --web.config.file for TLS and basic auth (none without either), and how this module's checks get in. */
async function webConfig(
  dir: string,
  { tls, basicAuth }: StartPrometheusOptions,
): Promise<{ flags: string[]; probe: Probe }> {
  const probe: Probe = {
    ca: tls?.ca,
    authorization: basicAuth
      ? `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString("base64")}`
      : undefined,
  };
  if (!tls && !basicAuth) return { flags: [], probe };
  const file = join(dir, "web.yml");
  await writeFile(
    file,
    stringify({
      ...(tls ? { tls_server_config: { cert_file: tls.certFile, key_file: tls.keyFile } } : {}),
      ...(basicAuth ? { basic_auth_users: { [basicAuth.username]: bcryptHash(basicAuth.password) } } : {}),
    }),
  );
  return { flags: [`--web.config.file=${file}`], probe };
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusHandle> {
  const binary = prometheusPath();
  const dir = await mkdtemp(join(tmpdir(), "ramp-prometheus-"));
  let current = { ...opts };
  // A free port can be taken between picking and binding; retry a few times unless one was asked for.
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const address = `127.0.0.1:${port}`;
    const configFile = join(dir, "prometheus.yml");
    await writeFile(configFile, renderConfig(current, address));
    const web = await webConfig(dir, opts);
    const logName = `prometheus-${attempt}`;
    const child = spawnPrometheus(binary, dir, logName, [
      `--config.file=${configFile}`,
      `--web.listen-address=${address}`,
      ...web.flags,
    ]);
    const pid = child.pid ?? 0;
    const url = `${opts.tls ? "https" : "http"}://${address}`;
    const { probe } = web;
    try {
      await pollUntil(
        `prometheus on ${url} to answer /-/ready`,
        () =>
          get(`${url}/-/ready`, probe).then(
            (r) => r.status === 200,
            () => false,
          ),
        {
          timeoutMs: 30_000,
          alive: () => child.exitCode === null && isRunning(pid, binary),
          diagnose: () => tailLog(dir, logName),
        },
      );
    } catch (err) {
      child.kill("SIGKILL");
      children.delete(child);
      const portClash = tailLog(dir, logName).includes("address already in use");
      if (portClash && opts.port === undefined && attempt < 3) continue;
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    if (opts.waitForTargets !== false) {
      await waitForFirstScrapes(url, scrapeConfigsOf(current, address), probe).catch(async (err: unknown) => {
        await stopProcess({ name: "prometheus", pid, command: binary }, 5_000);
        await rm(dir, { recursive: true, force: true });
        throw err;
      });
    }
    return {
      url,
      port,
      pid,
      configFile,
      async reload(next) {
        if (next) {
          current = { ...current, ...next };
          await writeFile(configFile, renderConfig(current, address));
        }
        const headers = probe.authorization ? { authorization: probe.authorization } : undefined;
        const res = await fetch(`${url}/-/reload`, { method: "POST", ...(headers ? { headers } : {}) });
        if (!res.ok) throw new Error(`ramp: prometheus reload failed: ${res.status} ${await res.text()}`);
        if (current.waitForTargets !== false) {
          await waitForFirstScrapes(url, scrapeConfigsOf(current, address), probe);
        }
      },
      async stop() {
        await stopProcess({ name: "prometheus", pid, command: binary }, 5_000);
        children.delete(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

/** Checks a rule file with promtool; throws with promtool's message when it is invalid. */
export function checkRules(file: string): void {
  try {
    execFileSync(promtoolPath(), ["check", "rules", file], { stdio: "pipe" });
  } catch (err) {
    const out = (err as { stdout?: Buffer; stderr?: Buffer }).stdout?.toString() ?? "";
    throw new Error(`ramp: promtool check rules ${file} failed:\n${out}`, { cause: err });
  }
}
