// Watches the benchmark's Rollouts, ReplicaSets and AnalysisRuns and turns what arrives into reaction
// latencies. Every latency is the difference of two watch arrivals on this one clock, or of a watch
// arrival and a time the controller wrote into the object (a pause's start, a measurement's finish).
import type { KubeConfig } from "@kubernetes/client-node";
import { type Follower, follow, type WatchedObject } from "../../dev/watch.ts";
import { parseDuration } from "../../src/api/duration.ts";
import { ROLLOUTS } from "./workload.ts";

/**
 * Where a controller's objects are and how to read them: ramp's by default, Argo Rollouts' for the peer
 * bench (peer/argo-dialect.ts). `statusOf` maps a Rollout's status onto ramp's field names.
 */
export type Dialect = {
  /** API path of the group that serves rollouts and analysisruns, e.g. /apis/ramp.dev/v1alpha1. */
  api: string;
  statusOf(o: WatchedObject | undefined): Status;
  /** The Rollout a ReplicaSet or AnalysisRun belongs to, and a ReplicaSet's pod-template hash. */
  ownerOf(o: WatchedObject): string | undefined;
  hashOf(o: WatchedObject): string | undefined;
  /** Whether the abort status alone (canary weight 0) marks the canary at 0, or only its ReplicaSet does. */
  zeroFromStatus: boolean;
};

export type Status = {
  observedGeneration?: number;
  phase?: string;
  currentPodHash?: string;
  stableRS?: string;
  currentStepIndex?: number;
  pauseStartTime?: string;
  canary?: { weight?: number };
  abort?: { reason?: string };
  notifications?: { pending?: { seq: number; to: string[] }[] };
};
type Obj = WatchedObject & { metadata?: { generation?: number; creationTimestamp?: string } };

export type PassKind = "promote" | "rollback";

/** Status writes seen on the watch that removed owed notifications, and those of them that changed nothing else. */
export type ReceiptCounts = { withReceipt: number; receiptOnly: number };

/** One Rollout in one pass. */
type Track = {
  generation: number;
  oldHash: string;
  shippedAt: number;
  specSeenAt?: number;
  rsCreatedAt?: number;
  /** The pass's new version: its ReplicaSet's pod-template-hash. */
  canaryHash?: string;
  pause?: { index: number; deadline: number } | undefined;
  /** The canary's ReplicaSet was seen with replicas > 0 (Argo creates it at 0, then scales it). */
  canaryUp?: boolean;
  failedAt?: number;
  /** When the failed measurement arrived here on the AnalysisRun watch (this clock, not the stamp). */
  failedSeenAt?: number;
  zeroAt?: number;
  doneAt?: number;
};

export type PassFigures = {
  /** ms from the image change until each Rollout was done (Healthy, or rolled back). */
  done: number[];
  specToReplicaSet: number[];
  /** ms from a pause's deadline until the status moved to the next step; negative = ended early. */
  pauseToNextStep: number[];
  failedMeasurementToZero: number[];
  /** The same, from the failed measurement's arrival on the watch: both ends on this clock, at ms precision. */
  failedMeasurementSeenToZero: number[];
  /** ms from a new ReplicaSet's creationTimestamp to its arrival here: how late this harness's watches run (whole-second stamps, so up to 1 s high). */
  replicaSetWatchDelay: number[];
  duplicateReplicaSets: number;
};

const LABEL = "ramp.dev/rollout";
const HASH = "ramp.dev/pod-template-hash";

export const RAMP_DIALECT: Dialect = {
  api: ROLLOUTS,
  statusOf: (o) => (o?.status ?? {}) as Status,
  ownerOf: (o) => o.metadata?.labels?.[LABEL],
  hashOf: (o) => o.metadata?.labels?.[HASH],
  zeroFromStatus: true,
};

export class Recorder {
  readonly #latest = new Map<string, Obj>();
  readonly #tracks = new Map<string, Track>();
  readonly #rsNames = new Map<string, Set<string>>();
  readonly #waiters = new Map<string, () => void>();
  readonly #followers: Follower[] = [];
  #kind: PassKind = "promote";
  #steps: unknown[] = [];
  #figures: PassFigures = emptyFigures();
  #receipts: ReceiptCounts = { withReceipt: 0, receiptOnly: 0 };
  readonly #receiptsTotal: ReceiptCounts = { withReceipt: 0, receiptOnly: 0 };

  readonly #d: Dialect;

  private constructor(dialect: Dialect) {
    this.#d = dialect;
  }

  static async start(kc: KubeConfig, namespace: string, dialect = RAMP_DIALECT): Promise<Recorder> {
    const r = new Recorder(dialect);
    const ns = `/namespaces/${namespace}`;
    r.#followers.push(
      await follow<Obj>(kc, `${dialect.api}${ns}/rollouts`, (t, o) => r.#onRollout(t, o)),
      await follow<Obj>(kc, `/apis/apps/v1${ns}/replicasets`, (t, o) => r.#onReplicaSet(t, o)),
      await follow<Obj>(kc, `${dialect.api}${ns}/analysisruns`, (t, o) => r.#onAnalysisRun(t, o)),
    );
    return r;
  }

  stop(): void {
    for (const f of this.#followers) f.stop();
  }

  /** Rollouts whose latest status is Healthy on their current version. */
  healthy(): number {
    let n = 0;
    for (const o of this.#latest.values()) if (isHealthy(this.#d.statusOf(o), o.metadata?.generation)) n++;
    return n;
  }

  current(name: string): { generation: number; hash: string } {
    const o = this.#latest.get(name);
    return { generation: o?.metadata?.generation ?? 0, hash: this.#d.statusOf(o).currentPodHash ?? "" };
  }

  beginPass(kind: PassKind, steps: unknown[]): void {
    this.#kind = kind;
    this.#steps = steps;
    this.#tracks.clear();
    this.#figures = emptyFigures();
    this.#receipts = { withReceipt: 0, receiptOnly: 0 };
  }

  /** The pass's patch was accepted at `at`; resolves once the Rollout is done with it. */
  shipped(name: string, at: number, generation: number, oldHash: string): Promise<void> {
    this.#tracks.set(name, { generation, oldHash, shippedAt: at });
    const latest = this.#latest.get(name);
    if (latest) this.#onRollout("MODIFIED", latest);
    return new Promise((resolve) => {
      if (this.#tracks.get(name)?.doneAt !== undefined) resolve();
      else this.#waiters.set(name, resolve);
    });
  }

  doneCount(): number {
    let n = 0;
    for (const t of this.#tracks.values()) if (t.doneAt !== undefined) n++;
    return n;
  }

  figures(): PassFigures {
    return this.#figures;
  }

  /** Receipt writes since the pass began, and over the whole run. */
  receipts(): { pass: ReceiptCounts; total: ReceiptCounts } {
    return { pass: { ...this.#receipts }, total: { ...this.#receiptsTotal } };
  }

  /** Messages the Rollouts' latest statuses still owe (one per recipient). */
  owed(): number {
    let n = 0;
    for (const o of this.#latest.values()) for (const e of this.#owedOf(o)) n += e.to.length;
    return n;
  }

  #owedOf(o: Obj) {
    return this.#d.statusOf(o).notifications?.pending ?? [];
  }

  #onRollout(type: string, o: Obj): void {
    const name = o.metadata?.name ?? "";
    if (type === "DELETED") {
      this.#latest.delete(name);
      return;
    }
    const previous = this.#latest.get(name);
    this.#latest.set(name, o);
    if (previous) this.#countReceipt(previous, o);
    const t = this.#tracks.get(name);
    if (!t || t.doneAt !== undefined) return;
    const now = Date.now();
    if (t.specSeenAt === undefined && (o.metadata?.generation ?? 0) >= t.generation) t.specSeenAt = now;
    const s = this.#d.statusOf(o);
    if ((s.observedGeneration ?? 0) < t.generation) return;
    this.#pauses(t, s, now);
    if (this.#d.zeroFromStatus && t.zeroAt === undefined && s.abort && (s.canary?.weight ?? 0) === 0) {
      t.zeroAt = now;
      this.#failedToZero(t);
    }
    const done =
      this.#kind === "promote"
        ? isHealthy(s, o.metadata?.generation) && s.currentPodHash !== t.oldHash
        : s.abort !== undefined && (s.canary?.weight ?? 0) === 0 && t.zeroAt !== undefined;
    if (done) {
      t.doneAt = now;
      this.#figures.done.push(now - t.shippedAt);
      this.#waiters.get(name)?.();
      this.#waiters.delete(name);
    }
  }

  // The watch shows every status write: one that drops an owed (seq, recipient) carried a receipt.
  #countReceipt(before: Obj, after: Obj): void {
    const owedBefore = this.#owedOf(before).flatMap((e) => e.to.map((to) => `${e.seq}|${to}`));
    if (owedBefore.length === 0) return;
    const kept = new Set(this.#owedOf(after).flatMap((e) => e.to.map((to) => `${e.seq}|${to}`)));
    if (owedBefore.every((k) => kept.has(k))) return;
    const rest = (o: Obj) => JSON.stringify({ ...this.#d.statusOf(o), notifications: undefined });
    const only = rest(before) === rest(after);
    for (const c of [this.#receipts, this.#receiptsTotal]) {
      c.withReceipt++;
      if (only) c.receiptOnly++;
    }
  }

  // A pause is open from its pauseStartTime; it ends when the status names a later step.
  #pauses(t: Track, s: Status, now: number): void {
    const index = s.currentStepIndex ?? 0;
    if (t.pause && index > t.pause.index) {
      this.#figures.pauseToNextStep.push(now - t.pause.deadline);
      t.pause = undefined;
    }
    const step = this.#steps[index] as { pause?: { duration?: string } } | undefined;
    if (s.pauseStartTime && step?.pause?.duration && t.pause?.index !== index) {
      const ms = parseDuration(step.pause.duration, "pause");
      t.pause = { index, deadline: Date.parse(s.pauseStartTime) + ms };
    }
  }

  #onReplicaSet(type: string, o: Obj): void {
    const name = this.#d.ownerOf(o);
    const hash = this.#d.hashOf(o);
    if (!name || !hash) return;
    if (type === "ADDED") this.#replicaSetAdded(name, hash, o);
    if (type !== "DELETED") this.#canaryReplicas(name, hash, o);
  }

  #replicaSetAdded(name: string, hash: string, o: Obj): void {
    const key = `${name}/${hash}`;
    const names = this.#rsNames.get(key) ?? new Set<string>();
    names.add(o.metadata?.name ?? "");
    this.#rsNames.set(key, names);
    if (names.size > 1) this.#figures.duplicateReplicaSets++;
    const t = this.#tracks.get(name);
    if (!t || t.rsCreatedAt !== undefined || hash === t.oldHash) return;
    t.rsCreatedAt = Date.now();
    t.canaryHash = hash;
    const stamped = Date.parse(o.metadata?.creationTimestamp ?? "");
    if (Number.isFinite(stamped)) this.#figures.replicaSetWatchDelay.push(t.rsCreatedAt - stamped);
    this.#figures.specToReplicaSet.push(t.rsCreatedAt - (t.specSeenAt ?? t.shippedAt));
  }

  // Without a router the pods are the split: the canary's ReplicaSet at 0 is the 0% write, and it comes
  // before the status that reports it.
  #canaryReplicas(name: string, hash: string, o: Obj): void {
    const t = this.#tracks.get(name);
    const replicas = (o.spec as { replicas?: number } | undefined)?.replicas;
    if (!t || hash !== t.canaryHash) return;
    if ((replicas ?? 0) > 0) t.canaryUp = true;
    if (this.#kind !== "rollback" || t.zeroAt !== undefined || !t.canaryUp || replicas !== 0) return;
    t.zeroAt = Date.now();
    this.#failedToZero(t);
    // Where only the ReplicaSet marks 0%, the abort status may have come first: look at it again.
    const latest = this.#latest.get(name);
    if (latest) this.#onRollout("MODIFIED", latest);
  }

  #onAnalysisRun(_type: string, o: Obj): void {
    const t = this.#tracks.get(this.#d.ownerOf(o) ?? "");
    if (!t || t.failedAt !== undefined) return;
    const results = (o.status?.metricResults ?? []) as { measurements?: Measurement[] }[];
    const failed = results
      .flatMap((m) => m.measurements ?? [])
      .filter((m) => m.phase === "Failed" && m.finishedAt)
      .map((m) => Date.parse(m.finishedAt ?? ""));
    if (failed.length === 0) return;
    t.failedAt = Math.min(...failed);
    t.failedSeenAt = Date.now();
    this.#failedToZero(t);
  }

  // The two ends arrive on different watches, in either order: count once both are known.
  #failedToZero(t: Track): void {
    if (t.failedAt === undefined || t.zeroAt === undefined) return;
    this.#figures.failedMeasurementToZero.push(t.zeroAt - t.failedAt);
    if (t.failedSeenAt !== undefined)
      this.#figures.failedMeasurementSeenToZero.push(t.zeroAt - t.failedSeenAt);
  }
}

type Measurement = { phase?: string; finishedAt?: string };

const isHealthy = (s: Status, generation: number | undefined): boolean =>
  s.phase === "Healthy" &&
  (s.observedGeneration ?? -1) >= (generation ?? 0) &&
  s.currentPodHash !== undefined &&
  s.currentPodHash === s.stableRS;

const emptyFigures = (): PassFigures => ({
  done: [],
  specToReplicaSet: [],
  pauseToNextStep: [],
  failedMeasurementToZero: [],
  failedMeasurementSeenToZero: [],
  replicaSetWatchDelay: [],
  duplicateReplicaSets: 0,
});
