// npm run bench:abort: how long after a failing measurement is recorded until no request reaches the
// canary, measured at Traefik (the Gateway API data plane) with real requests, over N aborts. Each round
// ships a new version to a 50% canary with background analysis (a web metric this script answers), waits
// until the canary serves, then makes the metric fail: the time from the AnalysisRun status showing the
// Failed measurement (seen by a watch) to the last request any canary pod answered is one sample.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { clusterUp } from "../../dev/cluster/control-plane.ts";
import { buildScript } from "../../dev/cluster/paths.ts";
import { type ControllerProcess, startController } from "../../dev/controller.ts";
import { installCrds } from "../../dev/crds.ts";
import {
  createTestNamespace,
  deleteTestNamespace,
  kubectl,
  loadKubeConfig,
  waitFor,
} from "../../dev/kube.ts";
import { Traefik } from "../../dev/traefik.ts";
import { PodServers } from "../../dev/traffic/pods.ts";
import { installUpstreamCrds } from "../../dev/upstream-crds.ts";
import { follow } from "../../dev/watch.ts";

const say = (msg: string) => process.stderr.write(`bench:abort │ ${msg}\n`);
const { values } = parseArgs({
  options: { aborts: { type: "string", default: "50" }, concurrency: { type: "string", default: "4" } },
});
const ABORTS = Number(values.aborts);
const NAME = "abort";
const HOST = "abort.example.com";

/** Seconds of CPU a process has used (utime + stime from /proc), or NaN when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
};

function manifests(metricUrl: string, image: string): string {
  const objs = [
    ...["stable", "canary"].map((role) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: `${NAME}-${role}` },
      spec: { selector: { app: NAME }, ports: [{ port: 80, targetPort: 8080 }] },
    })),
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: NAME },
      spec: {
        parentRefs: [{ name: "gateway" }],
        hostnames: [HOST],
        rules: [
          {
            name: "main",
            backendRefs: [
              { name: `${NAME}-stable`, port: 80, weight: 100 },
              { name: `${NAME}-canary`, port: 80, weight: 0 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: "ramp.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "health" },
      spec: {
        metrics: [
          {
            name: "health",
            interval: "1s",
            failureLimit: 0,
            successCondition: "result == 1",
            provider: { web: { url: metricUrl, jsonPath: "{$.value}" } },
          },
        ],
      },
    },
    {
      apiVersion: "ramp.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: NAME },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: NAME } },
        template: {
          metadata: { labels: { app: NAME } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: "app", image, ports: [{ containerPort: 8080 }] }],
          },
        },
        strategy: {
          canary: {
            canaryService: `${NAME}-canary`,
            stableService: `${NAME}-stable`,
            abortScaleDownDelaySeconds: 2,
            trafficRouting: { gatewayAPI: { httpRoutes: [{ name: NAME }] } },
            analysis: { templates: [{ templateName: "health" }] },
            steps: [{ setWeight: 50 }, { pause: {} }],
          },
        },
      },
    },
  ];
  return objs.map((o) => JSON.stringify(o)).join("\n");
}

type Run = {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: Record<string, unknown>;
};
type Measurement = { phase?: string };
const failedMeasurement = (r: Run) =>
  ((r.status?.metricResults as { measurements?: Measurement[] }[] | undefined) ?? []).some((m) =>
    (m.measurements ?? []).some((x) => x.phase === "Failed"),
  );

async function main(): Promise<void> {
  const t0 = Date.now();
  const selfCpu0 = process.cpuUsage();
  if (spawnSync("bash", [buildScript], { stdio: ["ignore", 2, 2] }).status !== 0)
    throw new Error("build failed");
  await clusterUp({ log: say });
  await installCrds();
  await installUpstreamCrds();
  const kc = loadKubeConfig();
  const ns = await createTestNamespace("bench-abort", kc);
  let healthy = 1;
  const metric = createServer((_req, res) => res.end(JSON.stringify({ value: healthy })));
  await new Promise<void>((r) => metric.listen(0, "127.0.0.1", r));
  const metricUrl = `http://127.0.0.1:${(metric.address() as AddressInfo).port}/`;
  const pods = await PodServers.start(kc, ns);
  const traefik = await Traefik.start({ namespaces: [ns], logLevel: "WARN" });
  let controller: ControllerProcess | undefined;
  try {
    await traefik.gateway(ns);
    controller = await startController({ name: "bench-abort", namespace: ns });
    const applied = await kubectl(["apply", "--server-side", "-n", ns, "-f", "-"], {
      input: manifests(metricUrl, "app:0"),
    });
    if (applied.code !== 0) throw new Error(applied.stderr);
    const status = async () =>
      JSON.parse(
        (await kubectl(["get", "rollout.ramp.dev", NAME, "-n", ns, "-o", "jsonpath={.status}"])).stdout ||
          "{}",
      ) as { phase?: string; currentStepIndex?: number; stableRS?: string; currentPodHash?: string };
    await waitFor(async () => (await status()).phase === "Healthy", {
      what: "the Rollout Healthy",
      timeoutMs: 120_000,
    });

    // The time the watch saw each AnalysisRun first show a Failed measurement.
    const failedAt = new Map<string, number>();
    const runs = await follow<Run>(
      kc,
      `/apis/ramp.dev/v1alpha1/namespaces/${ns}/analysisruns`,
      (_type, r) => {
        const n = r.metadata?.name ?? "";
        if (!failedAt.has(n) && failedMeasurement(r)) failedAt.set(n, Date.now());
      },
    );
    // Continuous load through the Gateway; every answer a canary pod gives is timestamped by PodServers.
    let loading = true;
    const lastServed = new Map<string, number>();
    const workers = Array.from({ length: Number(values.concurrency) }, async () => {
      while (loading) {
        const { status: code, body } = await traefik.send({ host: HOST });
        if (code === 200) lastServed.set(body, Date.now());
      }
    });

    const samples: number[] = [];
    for (let i = 1; i <= ABORTS; i++) {
      const image = `app:${i}`;
      healthy = 1;
      await kubectl([
        "patch",
        "rollout.ramp.dev",
        NAME,
        "-n",
        ns,
        "--type=json",
        "-p",
        JSON.stringify([{ op: "replace", path: "/spec/template/spec/containers/0/image", value: image }]),
      ]);
      await waitFor(
        async () => {
          const s = await status();
          return (
            s.phase === "Paused" &&
            s.currentStepIndex === 1 &&
            (lastServed.get(image) ?? 0) > Date.now() - 200
          );
        },
        { what: `${image} at 50% and answering`, timeoutMs: 120_000, intervalMs: 50 },
      );
      const before = new Set(failedAt.keys());
      healthy = 0;
      const run = await waitFor(() => [...failedAt.keys()].find((k) => !before.has(k)), {
        what: `${image}: a Failed measurement`,
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      const recorded = failedAt.get(run) ?? 0;
      // Quiet for 3 s: the last canary answer before then is when the canary stopped receiving traffic.
      await waitFor(() => Date.now() - Math.max(recorded, lastServed.get(image) ?? 0) > 3_000, {
        what: `${image}: no request to the canary for 3 s`,
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      const ms = Math.max(0, (lastServed.get(image) ?? recorded) - recorded);
      samples.push(ms);
      say(`abort ${i}/${ABORTS} (${image}): the canary's last request ${ms} ms after the Failed measurement`);
      await waitFor(async () => (await status()).phase === "Degraded", {
        what: `${image} aborted`,
        timeoutMs: 60_000,
      });
    }
    loading = false;
    await Promise.all(workers);
    runs.stop();

    const wall = (Date.now() - t0) / 1000;
    const self = process.cpuUsage(selfCpu0);
    const fmt = (x: number) => `${Math.round(x)} ms`;
    const p99 = quantile(samples, 0.99);
    process.stdout.write(
      [
        `failed measurement → 0% at the gateway (Traefik), ${samples.length} aborts:`,
        `  p50 ${fmt(quantile(samples, 0.5))}   p99 ${fmt(p99)}   max ${fmt(Math.max(...samples))}   target p99 ≤ 1000 ms: ${p99 <= 1000 ? "met" : "MISSED"}`,
        `  wall clock ${wall.toFixed(1)} s; CPU-seconds: controller ${cpuSeconds(controller.pid).toFixed(1)}, traefik ${cpuSeconds(traefik.pid).toFixed(1)}, this process (load, stand-ins, relay) ${((self.user + self.system) / 1e6).toFixed(1)}`,
        `  requests answered through Traefik: ${Object.values(pods.served).reduce((a, x) => a + x.ok + x.failed, 0)} (the load runs unthrottled, ${values.concurrency} at a time)`,
        "",
      ].join("\n"),
    );
  } finally {
    await controller?.stop();
    await traefik.stop();
    await pods.stop();
    metric.close();
    await deleteTestNamespace(ns, { wait: false });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
