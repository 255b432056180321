// Runs the controller as the chart's Deployment would: the image's entrypoint (from the staged Dockerfile),
// the container args and downward-API env the chart renders, and a kubeconfig that authenticates as the
// chart's ServiceAccount. Only the listen addresses change, to free loopback ports.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../dev/cluster/health.ts";
import type { StagedImage } from "../../dev/image.ts";
import { waitFor } from "../../dev/kube.ts";
import { repoRoot } from "../../dev/yaml.ts";
import { find, type Manifest } from "./chart.ts";

export type ChartController = {
  pid: number;
  podName: string;
  logFile: string;
  metricsUrl: string;
  healthUrl: string;
  exited: Promise<number | null>;
  /** SIGTERM, as the kubelet stops a pod, and wait. */
  stop(): Promise<number | null>;
};

type Container = {
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[];
};

/** The container the chart's Deployment runs. */
export function controllerContainer(docs: readonly Manifest[]): Container {
  const spec = find(docs, "Deployment").spec as { template: { spec: { containers: Container[] } } };
  const c = spec.template.spec.containers[0];
  if (!c) throw new Error("the chart's Deployment has no container");
  return c;
}

export async function startChartController(opts: {
  image: StagedImage;
  docs: readonly Manifest[];
  kubeconfig: string;
  /** The pod this process stands for (POD_NAME). */
  podName: string;
  /** Flags appended after the chart's (the last value of a flag wins). */
  extraArgs?: string[];
}): Promise<ChartController> {
  const deployment = find(opts.docs, "Deployment");
  const container = controllerContainer(opts.docs);
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const args = (container.args ?? []).map((a) =>
    a.startsWith("--metrics-addr=")
      ? `--metrics-addr=127.0.0.1:${metricsPort}`
      : a.startsWith("--health-addr=")
        ? `--health-addr=127.0.0.1:${healthPort}`
        : a,
  );
  // The downward API: every fieldRef the chart asks for, resolved for this "pod".
  const fields: Record<string, string> = {
    "metadata.name": opts.podName,
    "metadata.namespace": deployment.metadata.namespace ?? "",
  };
  const env: Record<string, string> = { ...opts.image.env, PATH: process.env.PATH ?? "" };
  for (const e of container.env ?? []) {
    // A literal value (NODE_OPTIONS' heap limit) is passed on as the pod would see it.
    if (e.value !== undefined) {
      env[e.name] = e.value;
      continue;
    }
    const path = e.valueFrom?.fieldRef?.fieldPath;
    if (path === undefined || !(path in fields)) throw new Error(`unexpected env ${e.name} in the chart`);
    env[e.name] = fields[path] ?? "";
  }
  // The image's ENTRYPOINT runs its own Node 24 (/nodejs/bin/node); here it is this process's Node 24.
  const [, ...entryArgs] = opts.image.entrypoint;
  const argv = [...entryArgs, ...args, `--kubeconfig=${opts.kubeconfig}`, ...(opts.extraArgs ?? [])];
  const logsDir = join(repoRoot, ".ramp", "test-logs");
  mkdirSync(logsDir, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, argv, {
    cwd: opts.image.workdir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logFile = join(logsDir, `chart-${opts.podName}-${child.pid}.log`);
  const out = createWriteStream(logFile);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  await waitFor(
    async () => {
      if (dead) throw new Error(`the controller exited; see ${logFile}`);
      return (await fetch(`${healthUrl}/readyz`)).ok;
    },
    {
      what: `controller ${opts.podName} to be ready (/readyz; log: ${logFile})`,
      timeoutMs: 60_000,
      intervalMs: 200,
    },
  );
  return {
    pid: child.pid ?? 0,
    podName: opts.podName,
    logFile,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    healthUrl,
    exited,
    async stop() {
      if (!dead) child.kill("SIGTERM");
      return exited;
    },
  };
}

export type ApiRequest = { verb: string; resource: string; code: string; count: number };

/** The controller's own count of its Kubernetes API requests (ramp_kube_api_requests_total). */
export async function apiRequests(metricsUrl: string): Promise<ApiRequest[]> {
  const text = await (await fetch(metricsUrl)).text();
  const out: ApiRequest[] = [];
  for (const line of text.split("\n")) {
    const m = /^ramp_kube_api_requests_total\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    out.push({
      verb: labels.verb ?? "",
      resource: labels.resource ?? "",
      code: labels.code ?? "",
      count: Number(m[2]),
    });
  }
  return out;
}
