// One pass of the peer bench, the same for both controllers: ship a new image (and, for the rollback
// pass, steps with an always-failing analysis) to every Rollout, wait until each is done, and read the
// watches, the controller's own client counter, the apiserver's request counter and /proc.
import type { ControllerProcess } from "../../../dev/controller.ts";
import { type Scrape, scrape } from "../../../dev/scrape.ts";
import { parseDuration } from "../../../src/api/duration.ts";
import type { Clients } from "../../../src/kube/client.ts";
import type { BenchOptions } from "../options.ts";
import { waitUntil } from "../progress.ts";
import type { PassKind, Recorder } from "../recorder.ts";
import { round, type Spread, spread } from "../report.ts";
import { diffCounts, isRead, isWrite, type RequestCounts, readProc } from "../sampler.ts";
import { nameOf, passPatch, patchRollout, pool } from "../workload.ts";
import {
  type ApiserverPass,
  apiserverCounts,
  apiserverPass,
  otherControllers,
} from "./apiserver-counters.ts";

export type PeerContext = {
  opts: BenchOptions;
  clients: Clients;
  namespace: string;
  recorder: Recorder;
  controller: ControllerProcess;
  /** The controller's API (rollouts are patched there) and its group, for the apiserver's counter. */
  api: string;
  group: string;
  /** The controller's client requests so far, from its own /metrics. */
  requestCounts(scraped: Scrape): RequestCounts;
  apiserverPid: number;
  say: (msg: string) => void;
};

export type PeerPass = {
  kind: PassKind;
  rollouts: number;
  totalSeconds: number;
  perRolloutSeconds: Spread;
  /** Per-Rollout completion less the pauses of the steps (promote pass only). */
  overheadSeconds?: { p50: number; p99: number };
  specChangeToCanaryReplicaSetMs: Spread;
  /** From the failed measurement's arrival on the harness's AnalysisRun watch to the canary's ReplicaSet at 0. */
  failedMeasurementToZeroCanaryMs: Spread;
  /** The same from the measurement's finishedAt stamp (Argo writes whole seconds, so up to 1 s longer there). */
  failedMeasurementStampToZeroCanaryMs: Spread;
  controllerCpuSeconds: number;
  apiserverCpuSeconds: number;
  /** From the controller's own client counter: every request it made. */
  client: { requests: RequestCounts; writes: number; reads: number; writesPerRolloutPerStep: number };
  apiserver: ApiserverPass & { writesPerRolloutPerStep: number };
  /** Other Rollout controllers seen on the machine at the end of the pass (should be none). */
  otherControllers: string[];
};

const cpuOf = (pid: number) => readProc(pid)?.cpuSeconds ?? 0;
const sum = (c: RequestCounts, pick: (k: string) => boolean) =>
  Object.entries(c)
    .filter(([k]) => pick(k))
    .reduce((n, [, v]) => n + v, 0);

/** Seconds of pause in the steps (durations only). */
export function pauseSeconds(steps: unknown[]): number {
  return steps.reduce<number>((n, s) => {
    const d = (s as { pause?: { duration?: string } }).pause?.duration;
    return n + (d ? parseDuration(d, "pause") / 1000 : 0);
  }, 0);
}

export async function runPeerPass(
  ctx: PeerContext,
  kind: PassKind,
  image: string,
  steps: unknown[] | undefined,
): Promise<PeerPass> {
  const { opts, recorder } = ctx;
  const shipped = opts.ship > 0 ? Math.min(opts.ship, opts.rollouts) : opts.rollouts;
  const names = Array.from({ length: shipped }, (_, i) => nameOf(i));
  recorder.beginPass(kind, steps ?? opts.steps);
  const clientBefore = ctx.requestCounts(await scrape(ctx.controller.metricsUrl));
  const apiBefore = await apiserverCounts();
  const cpu0 = cpuOf(ctx.controller.pid);
  const api0 = cpuOf(ctx.apiserverPid);
  const patch = passPatch(image, steps as never);
  ctx.say(`pass "${kind}": shipping ${image} to ${names.length} Rollouts`);
  const started = Date.now();
  const waiting = waitUntil(
    () => recorder.doneCount() >= names.length,
    `pass "${kind}"`,
    opts.timeoutMs,
    () => `${recorder.doneCount()}/${names.length} done`,
    ctx.say,
  );
  await pool(names, opts.wave || 32, async (name) => {
    const { hash } = recorder.current(name);
    const at = Date.now();
    const generation = await patchRollout(ctx.clients, ctx.namespace, name, patch, ctx.api);
    const done = recorder.shipped(name, at, generation, hash);
    if (opts.wave) await done;
  });
  await waiting;
  const totalSeconds = round((Date.now() - started) / 1000);
  // Let the pass's last writes land in both counters before reading them.
  await new Promise((r) => setTimeout(r, 2_000));
  const client = diffCounts(ctx.requestCounts(await scrape(ctx.controller.metricsUrl)), clientBefore);
  const apiserver = apiserverPass(apiBefore, await apiserverCounts(), ctx.group);
  const f = recorder.figures();
  const stepCount = (steps ?? opts.steps).length + 1;
  const perStep = (n: number) => round(n / names.length / stepCount, 2);
  const perRollout = spread(f.done.map((ms) => ms / 1000));
  const pauses = pauseSeconds(steps ?? opts.steps);
  const clientWrites = sum(client, isWrite);
  return {
    kind,
    rollouts: names.length,
    totalSeconds,
    perRolloutSeconds: perRollout,
    ...(kind === "promote"
      ? { overheadSeconds: { p50: round(perRollout.p50 - pauses), p99: round(perRollout.p99 - pauses) } }
      : {}),
    specChangeToCanaryReplicaSetMs: spread(f.specToReplicaSet),
    failedMeasurementToZeroCanaryMs: spread(f.failedMeasurementSeenToZero),
    failedMeasurementStampToZeroCanaryMs: spread(f.failedMeasurementToZero),
    controllerCpuSeconds: round(cpuOf(ctx.controller.pid) - cpu0, 2),
    apiserverCpuSeconds: round(cpuOf(ctx.apiserverPid) - api0, 2),
    client: {
      requests: client,
      writes: clientWrites,
      reads: sum(client, isRead),
      writesPerRolloutPerStep: perStep(clientWrites),
    },
    apiserver: { ...apiserver, writesPerRolloutPerStep: perStep(apiserver.writes) },
    otherControllers: otherControllers([ctx.controller.pid]),
  };
}
