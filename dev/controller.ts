// Runs the real controller as a separate process, so tests can SIGKILL it like a crashed pod.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./cluster/health.ts";
import { kubeconfigPath, waitFor } from "./kube.ts";
import { repoRoot } from "./yaml.ts";

export type ControllerProcess = {
  pid: number;
  logFile: string;
  metricsUrl: string;
  healthUrl: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM and wait: a graceful stop. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
};

export type ControllerOptions = {
  name: string;
  namespace?: string;
  /** The kubeconfig to use instead of the local cluster's (e.g. one that points at a proxy). */
  kubeconfig?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Options for node itself (e.g. --cpu-prof), before the script. */
  nodeArgs?: string[];
  /** The script to run, relative to the repository (default the source, src/controller/main.ts). */
  entry?: string;
};

const logsDir = join(repoRoot, ".ramp", "test-logs");

export async function startController(opts: ControllerOptions): Promise<ControllerProcess> {
  mkdirSync(logsDir, { recursive: true });
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const args = [
    join(repoRoot, opts.entry ?? "src/controller/main.ts"),
    "--kubeconfig",
    opts.kubeconfig ?? kubeconfigPath(),
    "--metrics-addr",
    `127.0.0.1:${metricsPort}`,
    "--health-addr",
    `127.0.0.1:${healthPort}`,
    "--log-level",
    "debug",
    ...(opts.namespace ? ["--namespace", opts.namespace] : []),
    ...(opts.args ?? []),
  ];
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return superviseProcess(child, {
    label: "the controller",
    name: opts.name,
    metricsPort,
    healthPort,
    timeoutMs: 30_000,
    intervalMs: 100,
  });
}

/**
 * A started controller process (ramp's, or Argo Rollouts' in the peer bench) as tests and benches hold it:
 * its output in .ramp/test-logs, its exit, a graceful or a hard stop; resolves once /healthz answers.
 */
export async function superviseProcess(
  child: ChildProcess,
  o: {
    label: string;
    name: string;
    metricsPort: number;
    healthPort: number;
    timeoutMs: number;
    intervalMs: number;
  },
): Promise<ControllerProcess> {
  mkdirSync(logsDir, { recursive: true });
  const logFile = join(logsDir, `${o.name}-${child.pid}.log`);
  const out = createWriteStream(logFile);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const healthUrl = `http://127.0.0.1:${o.healthPort}`;
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  await waitFor(
    async () => {
      if (dead) throw new Error(`${o.label} exited; see ${logFile}`);
      return (await fetch(`${healthUrl}/healthz`)).ok;
    },
    {
      what: `${o.label} ${o.name} to serve /healthz (log: ${logFile})`,
      timeoutMs: o.timeoutMs,
      intervalMs: o.intervalMs,
    },
  );
  return {
    pid: child.pid ?? 0,
    logFile,
    metricsUrl: `http://127.0.0.1:${o.metricsPort}/metrics`,
    healthUrl,
    exited,
    async stop() {
      if (!dead) child.kill("SIGTERM");
      // A controller that cannot shut down (a blocked event loop) must not outlive the test.
      const force = setTimeout(() => child.kill("SIGKILL"), 30_000);
      force.unref();
      const code = await exited;
      clearTimeout(force);
      return code;
    },
    async kill() {
      if (!dead) child.kill("SIGKILL");
      await exited;
    },
  };
}
