// The benchmark's result: one JSON shape (checked by the smoke test) and the table printed from it.
import { z } from "zod";
import type { RequestCounts } from "./sampler.ts";

const Spread = z.object({ n: z.int(), p50: z.number(), p99: z.number(), max: z.number() });
export type Spread = z.infer<typeof Spread>;
const Stage = z.object({ n: z.number(), p50: z.number(), p99: z.number() });
/** Messages delivered, and failed attempts and lost messages by reason (the controller's counters). */
const NotifyCounts = z.object({ sent: z.number(), failed: z.record(z.string(), z.number()) });
/** Status writes seen on the watch that removed owed notifications; receiptOnly changed nothing else. */
const Receipts = z.object({ withReceipt: z.int(), receiptOnly: z.int() });

const Pass = z.object({
  kind: z.enum(["promote", "rollback"]),
  rollouts: z.int(),
  totalSeconds: z.number(),
  /** Until the last image patch was accepted: how "at once" all-at-once was. Absent in older results. */
  shippedInSeconds: z.number().optional(),
  perRolloutSeconds: Spread,
  latencyMs: z.object({
    specChangeToCanaryReplicaSet: Spread,
    pauseDeadlineToNextStep: Spread,
    failedMeasurementToZeroCanary: Spread,
  }),
  // Optional: results written before the controller exported its request-duration histogram lack it.
  controllerStagesMs: z
    .object({
      queueWait: Stage,
      handler: Stage,
      apiWrite: Stage,
      /** ramp_rollout_pause_overrun_seconds: deadline → the write moving on answered. Absent in older results. */
      pauseOverrun: Stage.optional(),
    })
    .optional(),
  /** New ReplicaSets' arrival here minus their creationTimestamp (whole seconds): the harness's own lag. */
  harnessWatchDelayMs: Spread.optional(),
  /**
   * The harness's own ConfigMap patch every 200 ms: until answered, and until its own watch delivered it
   * (the floor under every latency above, each of which ends in a write seen by watch). Absent in older results.
   */
  apiserverProbeMs: z
    .object({
      write: Spread,
      writeToWatch: Spread,
      failed: z.int(),
      /** This process's own event-loop delay over the pass: the part of the probe that is the harness. */
      harnessLoopDelay: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
    })
    .optional(),
  pausesEndedEarly: z.int(),
  duplicateReplicaSets: z.int(),
  api: z.object({
    requests: z.record(z.string(), z.number()),
    writesPerRolloutPerStep: z.number(),
    readsDuringPass: z.int(),
  }),
  controllerCpuSeconds: z.number(),
  controlPlaneCpuSeconds: z.record(z.string(), z.number()),
  /** With --notifiers on or failing: what the pass sent, and its receipt writes (within api's writes). */
  notifications: NotifyCounts.extend({
    statusWrites: Receipts,
    /** api.writesPerRolloutPerStep less the receipt-only status writes. */
    writesPerRolloutPerStepLessReceiptOnly: z.number(),
  }).optional(),
});
export type Pass = z.infer<typeof Pass>;

export const BenchResult = z.object({
  version: z.literal(1),
  startedAt: z.string(),
  machine: z.object({ cpus: z.int(), cpuModel: z.string(), memoryGiB: z.number(), node: z.string() }),
  options: z.object({
    rollouts: z.int(),
    replicas: z.int(),
    steps: z.array(z.unknown()),
    wave: z.int(),
    ship: z.int().optional(),
    shipOverMs: z.number().optional(),
    /** The Rollouts' revisionHistoryLimit; absent: the controller's default (10). */
    history: z.int().optional(),
    workers: z.int(),
    nodeArgs: z.array(z.string()),
    /** The script run: dist/controller/main.js (the image's) or src/controller/main.ts (--source). */
    entry: z.string().optional(),
    /** --notifiers; absent in older results (off). */
    notifiers: z.enum(["off", "on", "failing"]).optional(),
  }),
  setup: z.object({ createSeconds: z.number(), firstHealthySeconds: z.number(), nodes: z.int() }),
  passes: z.array(Pass),
  controller: z.object({
    /** Resident with no Rollout yet, once start-up settled (median over 5 s). Absent in older results. */
    idleRssMiB: z.number().optional(),
    peakRssMiB: z.number(),
    steadyRssMiB: z.number(),
    peakHeapMiB: z.number(),
    steadyHeapMiB: z.number(),
    cpuSeconds: z.number(),
  }),
  soak: z
    .object({
      minutes: z.number(),
      /** The soak shipped to the first this many Rollouts, those the passes had shipped. Absent in older results. */
      rolloutsCycled: z.int().optional(),
      /** What stayed resident after each of the controller's memory trims, first and last thirds after warm-up. */
      afterTrims: z
        .object({ trims: z.int(), warmMiB: z.number(), endMiB: z.number(), growthPercent: z.number() })
        .optional(),
      /** ramp_kube_cache_objects by resource, after warm-up and at the end. */
      cacheObjects: z
        .object({ warm: z.record(z.string(), z.number()), end: z.record(z.string(), z.number()) })
        .optional(),
      warmRssMiB: z.number(),
      endRssMiB: z.number(),
      maxRssMiB: z.number(),
      growthPercent: z.number(),
      /** Fitted RSS trend after the warm-up; absent in results from before it was measured. */
      slopeMiBPer10Min: z.number().optional(),
    })
    .optional(),
  profile: z.object({ cpuProfile: z.string(), heapSnapshot: z.string() }).optional(),
  /** With --notifiers on or failing: the whole run, read after waiting for the ledgers to empty. */
  notifications: NotifyCounts.extend({
    destinations: z.array(z.object({ name: z.string(), behaviour: z.string() })),
    giveUpSeconds: z.number().optional(),
    statusWrites: Receipts,
    /** After the last pass, until no Rollout owed a message (or the wait's cap). */
    waitedSeconds: z.number(),
    /** Messages the Rollouts' statuses still owed, and those queued in the controller, at the end. */
    owedAtEnd: z.int(),
    queuedAtEnd: z.number(),
    /** Requests each receiver got, by Notifier name. */
    receiverRequests: z.record(z.string(), z.int()),
  }).optional(),
});
export type BenchResult = z.infer<typeof BenchResult>;

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

/** The middle value (the upper one of an even count); 0 for none. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
export const mib = (bytes: number): number => round(bytes / 1024 / 1024);

const fmt = (s: Spread, unit: string) =>
  s.n === 0 ? "-" : `${s.p50} / ${s.p99} / ${s.max} ${unit} (n=${s.n})`;

/** Rows whose value is undefined (a figure older results lack) are left out. */
function table(all: [string, string | undefined][]): string {
  const rows = all.filter((r): r is [string, string] => r[1] !== undefined);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}

/** A short table of every figure, with p50 / p99 / max. */
export function render(r: BenchResult): string {
  const lines = [
    `ramp bench: ${r.options.rollouts} Rollouts x ${r.options.replicas} replicas, ${r.machine.cpus} CPUs (${r.machine.cpuModel})`,
    table([
      ["created in", `${r.setup.createSeconds} s, all Healthy after ${r.setup.firstHealthySeconds} s`],
      [
        "controller RSS",
        `${r.controller.idleRssMiB === undefined ? "" : `idle ${r.controller.idleRssMiB} MiB, `}peak ${r.controller.peakRssMiB} MiB, steady ${r.controller.steadyRssMiB} MiB`,
      ],
      ["controller heap", `peak ${r.controller.peakHeapMiB} MiB, steady ${r.controller.steadyHeapMiB} MiB`],
      ["controller CPU", `${r.controller.cpuSeconds} s (user+sys, whole run)`],
    ]),
  ];
  for (const p of r.passes) {
    lines.push(
      `pass "${p.kind}" (p50 / p99 / max):`,
      table([
        [
          "all done in",
          `${p.totalSeconds} s${p.shippedInSeconds === undefined ? "" : `, all shipped in ${p.shippedInSeconds} s`}`,
        ],
        ["per Rollout", fmt(p.perRolloutSeconds, "s")],
        ["spec → canary ReplicaSet", fmt(p.latencyMs.specChangeToCanaryReplicaSet, "ms")],
        ["pause deadline → next step", fmt(p.latencyMs.pauseDeadlineToNextStep, "ms")],
        ["failed measurement → 0%", fmt(p.latencyMs.failedMeasurementToZeroCanary, "ms")],
        ["controller stages", p.controllerStagesMs && stagesLine(p.controllerStagesMs)],
        [
          "pause overrun (controller)",
          p.controllerStagesMs?.pauseOverrun?.n
            ? `${p.controllerStagesMs.pauseOverrun.p50} / ${p.controllerStagesMs.pauseOverrun.p99} ms (n=${p.controllerStagesMs.pauseOverrun.n})`
            : undefined,
        ],
        [
          "harness watch delay",
          p.harnessWatchDelayMs && `${fmt(p.harnessWatchDelayMs, "ms")} (stamps in whole seconds)`,
        ],
        ["probe: write answered", p.apiserverProbeMs && fmt(p.apiserverProbeMs.write, "ms")],
        [
          "probe: write → its watch event",
          p.apiserverProbeMs &&
            `${fmt(p.apiserverProbeMs.writeToWatch, "ms")}${p.apiserverProbeMs.failed ? `, ${p.apiserverProbeMs.failed} writes failed` : ""}`,
        ],
        [
          "harness event-loop delay",
          p.apiserverProbeMs &&
            `${p.apiserverProbeMs.harnessLoopDelay.p50} / ${p.apiserverProbeMs.harnessLoopDelay.p99} / ${p.apiserverProbeMs.harnessLoopDelay.max} ms`,
        ],
        ["pauses ended early", String(p.pausesEndedEarly)],
        ["duplicate ReplicaSets", String(p.duplicateReplicaSets)],
        ["API writes / Rollout / step", writesLine(p)],
        ["notifications", p.notifications && notifyLine(p.notifications)],
        [
          "status writes with a receipt",
          p.notifications &&
            `${p.notifications.statusWrites.withReceipt}, ${p.notifications.statusWrites.receiptOnly} of them nothing else (both within the writes above)`,
        ],
        ["API reads during the pass", String(p.api.readsDuringPass)],
        ["API requests", requestsLine(p.api.requests)],
        ["controller CPU", `${p.controllerCpuSeconds} s`],
        ["control plane CPU", cpuLine(p.controlPlaneCpuSeconds)],
      ]),
    );
  }
  if (r.soak) {
    const s = r.soak;
    const t = s.afterTrims;
    lines.push(
      `soak ${s.minutes} min${s.rolloutsCycled === undefined ? "" : `, cycling over ${s.rolloutsCycled} Rollouts`}:`,
      table([
        [
          "resident after trims",
          t
            ? `${t.warmMiB} → ${t.endMiB} MiB (${t.growthPercent}% growth, ${t.trims} trims after warm-up)`
            : "fewer than 3 trims after warm-up (a controller without --expose-gc never trims)",
        ],
        [
          "RSS, every sample",
          `${s.warmRssMiB} → ${s.endRssMiB} MiB (${s.growthPercent}%${s.slopeMiBPer10Min === undefined ? "" : `, trend ${s.slopeMiBPer10Min} MiB per 10 min`}), max ${s.maxRssMiB} MiB`,
        ],
        ["cached objects", s.cacheObjects && cacheLine(s.cacheObjects.warm, s.cacheObjects.end)],
      ]),
    );
  }
  if (r.notifications) {
    const n = r.notifications;
    lines.push(
      "notifications, whole run:",
      table([
        ["destinations", n.destinations.map((d) => `${d.name} (${d.behaviour})`).join(", ")],
        ["give up after", n.giveUpSeconds === undefined ? undefined : `${n.giveUpSeconds} s`],
        ["sent / failed", notifyLine(n)],
        [
          "status writes with a receipt",
          `${n.statusWrites.withReceipt}, ${n.statusWrites.receiptOnly} of them nothing else`,
        ],
        [
          "at the end",
          `waited ${n.waitedSeconds} s; ${n.owedAtEnd} still owed, ${n.queuedAtEnd} queued in the controller`,
        ],
        [
          "receiver requests",
          Object.entries(n.receiverRequests)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ") || "none",
        ],
      ]),
    );
  }
  if (r.profile) lines.push(`profile: ${r.profile.cpuProfile}, ${r.profile.heapSnapshot}`);
  return lines.join("\n");
}

// p50/p99 of each stage, from the controller's histograms (bucket-interpolated, like histogram_quantile).
const stagesLine = (s: NonNullable<Pass["controllerStagesMs"]>) =>
  `queue wait ${s.queueWait.p50} / ${s.queueWait.p99} ms, handler ${s.handler.p50} / ${s.handler.p99} ms, API write ${s.apiWrite.p50} / ${s.apiWrite.p99} ms`;

const writesLine = (p: Pass) =>
  p.notifications
    ? `${p.api.writesPerRolloutPerStep} (${p.notifications.writesPerRolloutPerStepLessReceiptOnly} without receipt-only status writes)`
    : String(p.api.writesPerRolloutPerStep);

const notifyLine = (n: z.infer<typeof NotifyCounts>) => {
  const failed = Object.entries(n.failed)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return `${n.sent} sent, failed ${failed || "0"}`;
};

const requestsLine = (c: RequestCounts) =>
  Object.entries(c)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

const cacheLine = (warm: Record<string, number>, end: Record<string, number>) =>
  Object.keys({ ...warm, ...end })
    .sort()
    .map((k) => `${k} ${warm[k] ?? 0} → ${end[k] ?? 0}`)
    .join(", ");

const cpuLine = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v} s`)
    .join(", ");
