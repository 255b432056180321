// One round of the peer bench: one controller (ramp as shipped, or Argo Rollouts with its defaults or its
// client limits lifted) alone on the control plane, in a fresh namespace: its idle memory with 0 Rollouts,
// N Rollouts created until Healthy, the promote pass, its settled memory, the rollback pass, then the
// controller stopped and the namespace deleted before the next round starts.
import type { KubeConfig } from "@kubernetes/client-node";
import { type ControllerProcess, startController } from "../../../dev/controller.ts";
import { kubectl } from "../../../dev/kube.ts";
import type { Clients } from "../../../src/kube/client.ts";
import type { BenchOptions } from "../options.ts";
import { waitUntil } from "../progress.ts";
import { RAMP_DIALECT, Recorder } from "../recorder.ts";
import { median, mib, round } from "../report.ts";
import { ControllerSampler, readProc, requestCounts } from "../sampler.ts";
import {
  createFailingTemplate,
  createNamespace,
  createRollouts,
  failingSteps,
  ROLLOUTS,
} from "../workload.ts";
import { otherControllers } from "./apiserver-counters.ts";
import { ARGO_DIALECT } from "./argo-dialect.ts";
import { type ArgoLimits, argoRequestCounts, startArgo } from "./argo-process.ts";
import { ARGO_API, argoRollout, toArgo } from "./argo-workload.ts";
import { type PeerContext, type PeerPass, runPeerPass } from "./pass.ts";

export type Contender =
  | { label: "ramp"; kind: "ramp" }
  | { label: "argo-defaults" | "argo-lifted"; kind: "argo"; limits: ArgoLimits };

export type RoundResult = {
  contender: Contender["label"];
  namespace: string;
  /** RSS with 0 Rollouts, after start-up settled (median of 5 s of samples after 10 s). */
  idleRssMiB: number;
  /** VmHWM at the end of the round: the most the process ever held resident. */
  peakRssMiB: number;
  /** Median RSS over the 15 s idle after the promote pass (its first 5 s left out). */
  settledRssMiB: number;
  createSeconds: number;
  firstHealthySeconds: number;
  passes: PeerPass[];
  /** user+system CPU of the controller over the whole round, start-up included. */
  controllerCpuSeconds: number;
  /** Other Rollout controllers seen before the round started, after waiting for them to go. */
  otherControllersAtStart: string[];
};

export type RoundEnv = {
  opts: BenchOptions;
  kc: KubeConfig;
  clients: Clients;
  argoBin: string;
  /** Both controllers' kubeconfig: the bench's ServiceAccount (identity.ts). */
  kubeconfig: string;
  /** What ramp runs: HEAD's build (ramp-build.ts), or with --source the working tree's src/. */
  ramp: { entry: string; nodeArgs: string[] };
  apiserverPid: number;
  prometheusUrl: string | undefined;
  say: (msg: string) => void;
  /** The round in progress, for a Ctrl-C to stop its controller and delete its namespace. */
  current?: { controller?: ControllerProcess; namespace: string } | undefined;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(env: RoundEnv, c: Contender, namespace: string): Promise<ControllerProcess> {
  if (c.kind === "argo")
    return startArgo(env.argoBin, {
      name: `peer-${c.label}`,
      namespace,
      limits: c.limits,
      kubeconfig: env.kubeconfig,
    });
  return startController({
    name: "peer-ramp",
    namespace,
    kubeconfig: env.kubeconfig,
    entry: env.ramp.entry,
    args: ["--log-level", "info", "--workers", String(env.opts.workers)],
    nodeArgs: [...env.ramp.nodeArgs, ...env.opts.nodeArgs],
  });
}

/**
 * Waits (up to 5 minutes) until no cluster-wide Rollout controller runs on the machine (one that could
 * manage the round's objects); controllers confined to other namespaces only share the CPU, and are
 * recorded. Returns every other controller seen when the round starts.
 */
async function aloneOnTheMachine(say: (msg: string) => void): Promise<string[]> {
  const clusterWide = () => otherControllers([]).filter((l) => !l.includes(" --namespace "));
  for (let i = 0; i < 60 && clusterWide().length > 0; i++) {
    if (i % 6 === 0) say(`waiting for cluster-wide Rollout controllers to stop: ${clusterWide().join("; ")}`);
    await sleep(5_000);
  }
  return otherControllers([]);
}

export async function runRound(env: RoundEnv, c: Contender): Promise<RoundResult> {
  const { opts, say } = env;
  const otherControllersAtStart = await aloneOnTheMachine(say);
  const namespace = `ramp-peer-${c.label}-${opts.rollouts}-${Date.now().toString(36)}`;
  await createNamespace(env.clients, namespace);
  say(`round ${c.label} in ${namespace}`);
  env.current = { namespace };
  let controller: ControllerProcess | undefined;
  let recorder: Recorder | undefined;
  try {
    controller = await start(env, c, namespace);
    env.current.controller = controller;
    say(`${c.label} pid ${controller.pid}, log ${controller.logFile}`);
    const sampler = new ControllerSampler(controller.pid, undefined);
    sampler.start();
    const t = Date.now();
    await sleep(15_000);
    const idleRssMiB = mib(median(sampler.between(t + 10_000, Date.now()).map((s) => s.rssBytes)));
    const argo = c.kind === "argo";
    recorder = await Recorder.start(env.kc, namespace, argo ? ARGO_DIALECT : RAMP_DIALECT);
    const ctx: PeerContext = {
      opts,
      clients: env.clients,
      namespace,
      recorder,
      controller,
      api: argo ? ARGO_API : ROLLOUTS,
      group: argo ? "argoproj.io" : "ramp.dev",
      requestCounts: argo ? argoRequestCounts : requestCounts,
      apiserverPid: env.apiserverPid,
      say,
    };
    const t0 = Date.now();
    await createRollouts(
      env.clients,
      namespace,
      opts,
      argo ? { base: ARGO_API, render: argoRollout } : undefined,
    );
    const createSeconds = round((Date.now() - t0) / 1000);
    const rec = recorder;
    await waitUntil(
      () => rec.healthy() >= opts.rollouts,
      "Healthy",
      opts.timeoutMs,
      () => `${rec.healthy()}/${opts.rollouts}`,
      say,
    );
    const firstHealthySeconds = round((Date.now() - t0) / 1000);
    const passes = [await runPeerPass(ctx, "promote", "app:2", undefined)];
    const settledFrom = Date.now();
    await sleep(15_000);
    const settledRssMiB = mib(
      median(sampler.between(settledFrom + 5_000, Date.now()).map((s) => s.rssBytes)),
    );
    if (opts.rollback && env.prometheusUrl) {
      const api = argo ? { base: ARGO_API, render: toArgo } : undefined;
      await createFailingTemplate(env.clients, namespace, env.prometheusUrl, api);
      passes.push(await runPeerPass(ctx, "rollback", "app:3", failingSteps(opts.steps)));
    }
    const proc = readProc(controller.pid);
    sampler.stop();
    return {
      contender: c.label,
      namespace,
      idleRssMiB,
      peakRssMiB: mib(Math.max(proc?.peakRssBytes ?? 0, ...sampler.samples.map((s) => s.rssBytes))),
      settledRssMiB,
      createSeconds,
      firstHealthySeconds,
      passes,
      controllerCpuSeconds: round(proc?.cpuSeconds ?? 0, 2),
      otherControllersAtStart,
    };
  } finally {
    env.current = undefined;
    recorder?.stop();
    await controller?.stop();
    if (!opts.keep) {
      say(`deleting ${namespace}`);
      await kubectl(["delete", "namespace", namespace, "--wait=true", "--timeout=15m"], {
        timeoutMs: 16 * 60_000,
      });
    }
  }
}
