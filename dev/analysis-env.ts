// A real Prometheus scraping two stand-in versions (stable and canary), for analysis tests and the demo.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type PrometheusHandle, startPrometheus } from "./prometheus.ts";
import { repoRoot } from "./yaml.ts";

export type StandIn = {
  version: string;
  pid: number;
  url: string;
  control(rate: number, errors: number): Promise<void>;
  stop(): Promise<void>;
};

export async function startStandIn(version: string): Promise<StandIn> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(repoRoot, "test", "support", "standin", "metrics-app.ts"), version],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const [first] = (await once(lines, "line")) as [string];
  const { port } = JSON.parse(first) as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    version,
    url,
    pid: child.pid ?? 0,
    async control(rate, errors) {
      const res = await fetch(`${url}/control?rate=${rate}&errors=${errors}`);
      if (!res.ok) throw new Error(`stand-in ${version}: /control answered ${res.status}`);
    },
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

export type AnalysisEnv = {
  prometheus: PrometheusHandle;
  apps: Record<string, StandIn>;
  app(version: string): StandIn;
  stop(): Promise<void>;
};

/** One stand-in per version (rate req/s, share of errors), all scraped every second by a real Prometheus. */
export async function startAnalysisEnv(
  versions: Record<string, { rate: number; errors: number }>,
): Promise<AnalysisEnv> {
  const apps: Record<string, StandIn> = {};
  for (const [version, traffic] of Object.entries(versions)) {
    apps[version] = await startStandIn(version);
    await apps[version].control(traffic.rate, traffic.errors);
  }
  const targets = Object.values(apps).map((a) => a.url.replace("http://", ""));
  const prometheus = await startPrometheus({
    scrapeConfigs: [{ job_name: "app", static_configs: [{ targets }] }],
    scrapeInterval: "1s",
  });
  return {
    prometheus,
    apps,
    app(version) {
      const a = apps[version];
      if (!a) throw new Error(`no stand-in for version ${version}`);
      return a;
    },
    async stop() {
      await prometheus.stop().catch(() => {});
      await Promise.all(Object.values(apps).map((a) => a.stop()));
    },
  };
}
