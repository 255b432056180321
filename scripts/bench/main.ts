// npm run bench: N canary Rollouts on the local control plane, a real controller process, and the figures
// that say whether it stays small, fast and flat (docs/performance.md explains how to read them).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { clusterUp } from "../../dev/cluster/control-plane.ts";
import { buildScript, localPaths } from "../../dev/cluster/paths.ts";
import { readPidFiles } from "../../dev/cluster/processes.ts";
import { type ControllerProcess, startController } from "../../dev/controller.ts";
import { installCrds } from "../../dev/crds.ts";
import { loadKubeConfig } from "../../dev/kube.ts";
import { ensurePrometheusInstalled, type PrometheusHandle, startPrometheus } from "../../dev/prometheus.ts";
import { scrape } from "../../dev/scrape.ts";
import { repoRoot } from "../../dev/yaml.ts";
import { buildDist, imageEntry } from "./entrypoint.ts";
import { idleReading } from "./idle.ts";
import { Infra } from "./infra.ts";
import {
  type BenchNotifiers,
  FAILING_GIVE_UP_SECONDS,
  notifyCounts,
  queued,
  settle,
  startNotifiers,
} from "./notifiers.ts";
import { type BenchOptions, parseBenchOptions, USAGE } from "./options.ts";
import { type BenchContext, runPass } from "./pass.ts";
import { runPeer } from "./peer/main.ts";
import { Recorder } from "./recorder.ts";
import { type BenchResult, median, mib, render, round } from "./report.ts";
import { ControllerSampler, readProc } from "./sampler.ts";
import { soak } from "./soak.ts";
import {
  benchClients,
  createFailingTemplate,
  createNamespace,
  createRollouts,
  failingSteps,
} from "./workload.ts";

/** Start-up (modules loaded, caches synced, the first watch events) is over well within this. */
const IDLE_SETTLE_MS = 10_000;

const say = (msg: string) => process.stderr.write(`bench │ ${msg}\n`);

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions | "help";
  try {
    opts = parseBenchOptions(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.peer) return runPeer(opts);
  const startedAt = new Date();
  const build = spawnSync("bash", [buildScript], { stdio: ["ignore", 2, 2] });
  if (build.status !== 0) throw new Error(`${buildScript} failed (exit ${build.status ?? build.signal})`);
  await clusterUp({ log: say });
  await installCrds();
  const infra = new Infra(say);
  let controller: ControllerProcess | undefined;
  let prometheus: PrometheusHandle | undefined;
  let notifiers: BenchNotifiers | undefined;
  // Ctrl-C still deletes the namespace and the added Nodes (and stops the controller and Prometheus).
  let interrupted = false;
  const stopOnSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say("interrupted: cleaning up (Ctrl-C again to leave everything)");
    void Promise.allSettled([
      controller?.stop(),
      prometheus?.stop(),
      notifiers?.close(),
      opts.keep ? undefined : infra.cleanup(),
    ]).then(() => process.exit(130));
  };
  process.on("SIGINT", stopOnSignal);
  process.on("SIGTERM", stopOnSignal);
  try {
    const nodes = await infra.nodesFor(opts.rollouts * (opts.replicas + 1));
    if (opts.rollback) {
      await ensurePrometheusInstalled();
      prometheus = await startPrometheus({ scrapeConfigs: [] });
    }
    const kc = loadKubeConfig();
    const clients = benchClients(kc);
    const namespace = `ramp-bench-${opts.rollouts}-${Date.now().toString(36)}`;
    await createNamespace(clients, namespace);
    infra.namespace = namespace;
    // Before the controller starts, so its first reconciles already owe each Rollout's messages.
    if (opts.notifiers !== "off") {
      notifiers = await startNotifiers(clients, namespace, opts.notifiers);
      say(`notifiers: ${notifiers.destinations.map((d) => `${d.name} (${d.behaviour})`).join(", ")}`);
    }
    const profileDir = join(repoRoot, "bench", "profiles", namespace);
    if (opts.profile) mkdirSync(profileDir, { recursive: true });
    // What ships: the image's build and Node flags, unless --source.
    if (!opts.source) buildDist();
    const shipped = imageEntry();
    const image = opts.source
      ? { entry: "src/controller/main.ts", nodeArgs: [] }
      : { ...shipped, entry: opts.entry ?? shipped.entry };
    const nodeArgs = [...image.nodeArgs, ...opts.nodeArgs];
    controller = await startController({
      name: "bench",
      namespace,
      entry: image.entry,
      args: ["--log-level", "info", "--workers", String(opts.workers), ...(notifiers?.controllerArgs ?? [])],
      nodeArgs: [
        ...nodeArgs,
        ...(opts.profile
          ? [
              "--cpu-prof",
              `--cpu-prof-dir=${profileDir}`,
              "--heapsnapshot-signal=SIGUSR2",
              `--diagnostic-dir=${profileDir}`,
            ]
          : []),
      ],
    });
    say(`controller pid ${controller.pid}, log ${controller.logFile}`);
    const sampler = new ControllerSampler(controller.pid, controller.metricsUrl);
    sampler.start();
    const recorder = await Recorder.start(kc, namespace);
    const controlPlane = await readPidFiles(localPaths().pidsDir);
    say(`idle for ${IDLE_SETTLE_MS / 1000 + 5} s to read the controller's idle memory (no Rollout yet)`);
    const idle = await idleReading(controller.pid, controller.metricsUrl, IDLE_SETTLE_MS);
    const ctx = { opts, kc, clients, namespace, recorder, controller, controlPlane, say };

    say(`creating ${opts.rollouts} Rollouts in ${namespace}`);
    const t0 = Date.now();
    await createRollouts(clients, namespace, opts);
    const createSeconds = round((Date.now() - t0) / 1000);
    await infra.waitUntil(
      () => recorder.healthy() >= opts.rollouts,
      "Healthy",
      opts.timeoutMs,
      () => `${recorder.healthy()}/${opts.rollouts}`,
    );
    const firstHealthySeconds = round((Date.now() - t0) / 1000);

    const passes = [await runPass(ctx, "promote", "app:2", undefined)];
    const steadyFrom = Date.now();
    say("idle for 15 s to read steady memory");
    await new Promise((r) => setTimeout(r, 15_000));
    const steady = sampler.between(steadyFrom + 5_000, Date.now());
    if (opts.rollback && prometheus) {
      await createFailingTemplate(clients, namespace, prometheus.url);
      passes.push(await runPass(ctx, "rollback", "app:3", failingSteps(opts.steps)));
    }
    const soaked = opts.soakMs > 0 ? await soak(ctx, sampler, opts.soakMs) : undefined;
    const notifications = notifiers && (await notified(ctx, notifiers));
    const profile = opts.profile ? await infra.profile(controller, profileDir) : undefined;
    const proc = readProc(controller.pid);
    sampler.stop();
    recorder.stop();
    const heap = sampler.samples.map((s) => s.heapUsedBytes ?? 0);
    const result: BenchResult = {
      version: 1,
      startedAt: startedAt.toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        memoryGiB: round(totalmem() / 1024 ** 3),
        node: process.version,
      },
      options: {
        rollouts: opts.rollouts,
        replicas: opts.replicas,
        steps: opts.steps,
        wave: opts.wave,
        ship: opts.ship,
        shipOverMs: opts.shipOverMs,
        ...(opts.history === undefined ? {} : { history: opts.history }),
        workers: opts.workers,
        nodeArgs,
        entry: image.entry,
        notifiers: opts.notifiers,
      },
      setup: { createSeconds, firstHealthySeconds, nodes },
      passes,
      controller: {
        idleRssMiB: idle.rssMiB,
        peakRssMiB: mib(Math.max(proc?.peakRssBytes ?? 0, ...sampler.samples.map((s) => s.rssBytes))),
        steadyRssMiB: mib(median(steady.map((s) => s.rssBytes))),
        peakHeapMiB: mib(Math.max(0, ...heap)),
        steadyHeapMiB: mib(median(steady.map((s) => s.heapUsedBytes ?? 0))),
        cpuSeconds: round(proc?.cpuSeconds ?? 0, 2),
      },
      ...(soaked ? { soak: soaked } : {}),
      ...(profile ? { profile } : {}),
      ...(notifications ? { notifications } : {}),
    };
    const out =
      opts.out ??
      join(repoRoot, "bench", "results", `${startedAt.toISOString().slice(0, 10)}-${opts.rollouts}.json`);
    mkdirSync(join(out, ".."), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${render(result)}\nresults: ${out}\n`);
    return 0;
  } finally {
    await controller?.stop();
    await prometheus?.stop();
    await notifiers?.close();
    if (!opts.keep) await infra.cleanup();
  }
}

/** The whole run's notifications, once no Rollout owes one (or the failing lanes had time to give up). */
async function notified(
  ctx: BenchContext,
  n: BenchNotifiers,
): Promise<NonNullable<BenchResult["notifications"]>> {
  const failing = ctx.opts.notifiers === "failing";
  ctx.say(`waiting for the notification ledgers to empty (${ctx.recorder.owed()} owed)`);
  const waitedSeconds = await settle(
    () => ctx.recorder.owed(),
    (failing ? FAILING_GIVE_UP_SECONDS + 30 : 60) * 1000,
  );
  const scraped = await scrape(ctx.controller.metricsUrl);
  return {
    ...notifyCounts(scraped),
    destinations: n.destinations.map(({ name, behaviour }) => ({ name, behaviour })),
    ...(failing ? { giveUpSeconds: FAILING_GIVE_UP_SECONDS } : {}),
    statusWrites: ctx.recorder.receipts().total,
    waitedSeconds,
    owedAtEnd: ctx.recorder.owed(),
    queuedAtEnd: queued(scraped),
    receiverRequests: n.requests(),
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
