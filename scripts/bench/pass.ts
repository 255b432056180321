// One pass of the benchmark: ship a new version to every Rollout (all at once, or --wave at a time), wait
// until each is done, and turn the watches, the controller's request counter and /proc into figures.
import type { KubeConfig } from "@kubernetes/client-node";
import type { ControllerProcess } from "../../dev/controller.ts";
import { scrape } from "../../dev/scrape.ts";
import type { Clients } from "../../src/kube/client.ts";
import { stagesBetween } from "./histograms.ts";
import { diffNotify, notifyCounts } from "./notifiers.ts";
import type { BenchOptions } from "./options.ts";
import { startWriteProbe } from "./probe.ts";
import { waitUntil } from "./progress.ts";
import type { PassKind, Recorder } from "./recorder.ts";
import { type Pass, round, spread } from "./report.ts";
import { diffCounts, isRead, isWrite, readProc, requestCounts } from "./sampler.ts";
import { nameOf, passPatch, patchRollout, pool } from "./workload.ts";

export type BenchContext = {
  opts: BenchOptions;
  kc: KubeConfig;
  clients: Clients;
  namespace: string;
  recorder: Recorder;
  controller: ControllerProcess;
  controlPlane: { name: string; pid: number }[];
  say: (msg: string) => void;
};

const cpuOf = (pid: number) => readProc(pid)?.cpuSeconds ?? 0;

/** Ships `image` (and `steps`, when given) to every Rollout and measures until all are done. */
export async function runPass(
  ctx: BenchContext,
  kind: PassKind,
  image: string,
  steps: unknown[] | undefined,
): Promise<Pass> {
  const { opts, recorder } = ctx;
  const shipped = opts.ship > 0 ? Math.min(opts.ship, opts.rollouts) : opts.rollouts;
  const names = Array.from({ length: shipped }, (_, i) => nameOf(i));
  recorder.beginPass(kind, steps ?? opts.steps);
  const scrapedBefore = await scrape(ctx.controller.metricsUrl);
  const before = requestCounts(scrapedBefore);
  const cpu0 = cpuOf(ctx.controller.pid);
  const cp0 = ctx.controlPlane.map((p) => cpuOf(p.pid));
  const patch = passPatch(image, steps as never);
  ctx.say(
    `pass "${kind}": shipping ${image} to ${names.length} Rollouts${opts.wave ? `, ${opts.wave} at a time` : ""}${opts.shipOverMs ? ` over ${opts.shipOverMs / 1000} s` : ""}`,
  );
  const probe = await startWriteProbe(ctx.kc, ctx.clients, ctx.namespace);
  const started = Date.now();
  // Resolves once the patch is in, with `done` boxed: an async function returning a bare promise would
  // adopt it, and then the pool would hold every slot until its Rollout finished (32 at a time, not all).
  const ship = async (name: string): Promise<{ done: Promise<void> }> => {
    const { hash } = recorder.current(name);
    const at = Date.now();
    const generation = await patchRollout(ctx.clients, ctx.namespace, name, patch);
    return { done: recorder.shipped(name, at, generation, hash) };
  };
  const waiting = waitUntil(
    () => recorder.doneCount() >= names.length,
    `pass "${kind}"`,
    opts.timeoutMs,
    () => `${recorder.doneCount()}/${names.length} done`,
    ctx.say,
  );
  // A wave holds its slot until its Rollout is done; all-at-once only limits the patches in flight.
  const gap = opts.shipOverMs / names.length;
  let slot = 0;
  await pool(names, opts.wave || 32, async (name) => {
    // --ship-over: the i-th patch leaves at i·gap, so the arrival rate is even across the window.
    const wait = started + slot++ * gap - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { done } = await ship(name);
    if (opts.wave) await done;
  });
  const shippedInSeconds = round((Date.now() - started) / 1000);
  await waiting;
  const totalSeconds = round((Date.now() - started) / 1000);
  const probed = await probe.stop();
  // Let the last status writes of the pass land in the counter before reading it.
  await new Promise((r) => setTimeout(r, 2_000));
  const scrapedAfter = await scrape(ctx.controller.metricsUrl);
  const requests = diffCounts(requestCounts(scrapedAfter), before);
  const writes = Object.entries(requests)
    .filter(([k]) => isWrite(k))
    .reduce((n, [, v]) => n + v, 0);
  const reads = Object.entries(requests)
    .filter(([k]) => isRead(k))
    .reduce((n, [, v]) => n + v, 0);
  const f = recorder.figures();
  const receipts = recorder.receipts().pass;
  // The steps of the spec, plus the final promotion to 100%.
  const stepCount = (steps ?? opts.steps).length + 1;
  const perStep = (n: number) => round(n / names.length / stepCount, 2);
  return {
    kind,
    rollouts: names.length,
    totalSeconds,
    shippedInSeconds,
    perRolloutSeconds: spread(f.done.map((ms) => ms / 1000)),
    latencyMs: {
      specChangeToCanaryReplicaSet: spread(f.specToReplicaSet),
      pauseDeadlineToNextStep: spread(f.pauseToNextStep),
      failedMeasurementToZeroCanary: spread(f.failedMeasurementToZero),
    },
    controllerStagesMs: stagesBetween(scrapedBefore, scrapedAfter),
    harnessWatchDelayMs: spread(f.replicaSetWatchDelay),
    apiserverProbeMs: {
      write: spread(probed.writeMs),
      writeToWatch: spread(probed.watchedMs),
      failed: probed.failed,
      harnessLoopDelay: probed.harnessLoopDelayMs,
    },
    pausesEndedEarly: f.pauseToNextStep.filter((ms) => ms < 0).length,
    duplicateReplicaSets: f.duplicateReplicaSets,
    api: {
      requests,
      writesPerRolloutPerStep: perStep(writes),
      readsDuringPass: reads,
    },
    controllerCpuSeconds: round(cpuOf(ctx.controller.pid) - cpu0, 2),
    controlPlaneCpuSeconds: Object.fromEntries(
      ctx.controlPlane.map((p, i) => [p.name, round(cpuOf(p.pid) - (cp0[i] ?? 0), 2)]),
    ),
    ...(opts.notifiers === "off"
      ? {}
      : {
          notifications: {
            ...diffNotify(notifyCounts(scrapedAfter), notifyCounts(scrapedBefore)),
            statusWrites: receipts,
            writesPerRolloutPerStepLessReceiptOnly: perStep(writes - receipts.receiptOnly),
          },
        }),
  };
}
