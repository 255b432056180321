// The Rollout series that record events (phase transitions, aborts, rollout and reconcile durations,
// reconcile errors): counted from each reconcile's status write, removed with the Rollout. The rollout
// duration histogram is per namespace (its buckets per Rollout would dwarf every other series), removed with
// the namespace's last Rollout. The state gauges (phase, conditions, replicas…) are rendered from the
// caches at scrape time (rollout-state.ts).
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { CanaryStep, RolloutStatus } from "../api/index.ts";
import { asWritten, type StatusFields } from "../core/outcome.ts";
import { RampError } from "../errors.ts";
import { statusCodeOf } from "../kube/client.ts";
import { pauseMs } from "../strategy/canary/steps.ts";
import { ERROR_CODE_SET, known } from "./rollout-labels.ts";

/** What one reconcile wrote: the object as read (spec and old status) and the status written. */
export type RolloutObservation = {
  key: string;
  /** The Rollout as read from the cache (possibly not matching the schema, so read defensively). */
  object: { spec?: unknown; status?: RolloutStatus | undefined };
  /** The status fields the reconcile wrote (`null` removes a field); unlisted fields keep their value. */
  written: StatusFields;
  /** When the write was answered (ms since the epoch); absent, nothing is timed against it. */
  at?: number | undefined;
};

type Base = "namespace" | "rollout";

// From a 10 s canary to a day-long one.
const rolloutBuckets = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];
// A reconcile reads caches and makes a few writes: milliseconds, seconds when the apiserver is slow.
const reconcileBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// A pause should end within a second of its deadline; more says the controller or the apiserver is behind.
const overrunBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class RolloutMetrics {
  readonly transitions: Counter<Base | "from" | "to">;
  readonly aborts: Counter<Base | "reason">;
  readonly duration: Histogram<"namespace">;
  readonly lastDuration: Gauge<Base>;
  readonly reconcileDuration: Histogram;
  readonly pauseOverrun: Histogram;
  readonly reconcileErrors: Counter<Base | "reason">;
  /** Per Rollout key, every series set for it (metric → label sets), so forget() removes them all. */
  readonly #series = new Map<string, Map<Tracked, Map<string, Labels>> | undefined>();
  /** Per namespace, how many Rollouts #series tracks: its duration series go when the count reaches 0. */
  readonly #rollouts = new Map<string, number>();

  /** Whether the Rollout is still in the cache: a reconcile ending after its delete must not revive series. */
  readonly #exists: (key: string) => boolean;

  constructor(registry: Registry, opts: { exists?: (key: string) => boolean } = {}) {
    this.#exists = opts.exists ?? (() => true);
    const registers = [registry];
    const base = ["namespace", "rollout"] as const;
    this.transitions = new Counter({
      name: "ramp_rollout_phase_transitions_total",
      help: "Phase changes of a Rollout, by previous (None for a new Rollout) and new phase.",
      labelNames: [...base, "from", "to"],
      registers,
    });
    this.aborts = new Counter({
      name: "ramp_rollout_aborts_total",
      help: "Rollouts of a new version aborted, by reason (a stable error code, see docs/errors.md).",
      labelNames: [...base, "reason"],
      registers,
    });
    this.duration = new Histogram({
      name: "ramp_rollout_duration_seconds",
      help: "Time from the start of a new version's rollout (status.machine) to the Rollout's first Healthy with it.",
      labelNames: ["namespace"],
      buckets: rolloutBuckets,
      registers,
    });
    this.lastDuration = new Gauge({
      name: "ramp_rollout_last_duration_seconds",
      help: "Time the Rollout's latest new version took from its start to its first Healthy (the last duration observed).",
      labelNames: base,
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: "ramp_rollout_reconcile_duration_seconds",
      help: "Time one reconcile of a Rollout took, errors included.",
      buckets: reconcileBuckets,
      registers,
    });
    this.pauseOverrun = new Histogram({
      name: "ramp_rollout_pause_overrun_seconds",
      help: "How late timed canary pauses ended: from a pause's deadline (its start plus its duration) until the status write moving the Rollout on was answered.",
      buckets: overrunBuckets,
      registers,
    });
    this.reconcileErrors = new Counter({
      name: "ramp_rollout_reconcile_errors_total",
      help: "Reconciles of a Rollout that failed and were retried with backoff, by reason (an error code, or Unknown).",
      labelNames: [...base, "reason"],
      registers,
    });
  }

  /** Runs one reconcile, timing it and counting its error (rethrown, so the queue backs off). */
  async time<T>(key: string, reconcile: () => Promise<T>): Promise<T> {
    const end = this.reconcileDuration.startTimer();
    try {
      return await reconcile();
    } catch (err) {
      const reason =
        err instanceof RampError ? err.code : statusCodeOf(err) !== undefined ? "ApiError" : "Unknown";
      if (this.#exists(key)) this.#inc(key, this.reconcileErrors, { ...labelsOf(key), reason });
      throw err;
    } finally {
      end();
    }
  }

  /** Counts what a reconcile's status write changed: a phase transition, an abort, a rollout's end. */
  observe(o: RolloutObservation): void {
    if (!this.#exists(o.key)) return;
    // Every reconcile ends here, so every live Rollout is counted in its namespace, series or not.
    this.#join(o.key);
    const base = labelsOf(o.key);
    const before = o.object.status ?? {};
    const after = asWritten(before, o.written);
    if (before.phase !== after.phase && after.phase) {
      this.#inc(o.key, this.transitions, { ...base, from: before.phase ?? "None", to: after.phase });
    }
    if (after.abort && after.abort.at !== before.abort?.at) {
      this.#inc(o.key, this.aborts, { ...base, reason: known(ERROR_CODE_SET, after.abort.reason) });
    }
    const seconds =
      before.phase !== "Healthy" && after.phase === "Healthy" ? rolloutSeconds(before, after) : undefined;
    if (seconds !== undefined) {
      this.duration.observe({ namespace: base.namespace }, seconds);
      this.lastDuration.set(base, seconds);
      this.#track(o.key, this.lastDuration, base);
    }
    const overrun = o.at === undefined ? undefined : pauseOverrun(o.object.spec, before, after, o.at);
    if (overrun !== undefined) this.pauseOverrun.observe(overrun);
  }

  /** Removes every series of a deleted Rollout, and its namespace's duration series if it was the last. */
  forget(key: string): void {
    if (!this.#series.has(key)) return;
    for (const [metric, sets] of this.#series.get(key) ?? [])
      for (const labels of sets.values()) metric.remove(labels);
    this.#series.delete(key);
    const { namespace } = labelsOf(key);
    const left = (this.#rollouts.get(namespace) ?? 1) - 1;
    if (left > 0) this.#rollouts.set(namespace, left);
    else {
      this.#rollouts.delete(namespace);
      this.duration.remove({ namespace });
    }
  }

  #inc(key: string, c: Counter<string>, labels: Labels): void {
    c.inc(labels);
    this.#track(key, c, labels);
  }

  /** Tracks the Rollout, counted once in its namespace; no series map until its first series (heap). */
  #join(key: string): void {
    if (this.#series.has(key)) return;
    this.#series.set(key, undefined);
    const { namespace } = labelsOf(key);
    this.#rollouts.set(namespace, (this.#rollouts.get(namespace) ?? 0) + 1);
  }

  #track(key: string, metric: Tracked, labels: Labels): void {
    this.#join(key);
    const byMetric = this.#series.get(key) ?? new Map<Tracked, Map<string, Labels>>();
    this.#series.set(key, byMetric);
    const sets = byMetric.get(metric) ?? new Map<string, Labels>();
    byMetric.set(metric, sets);
    sets.set(JSON.stringify(labels), labels);
  }
}

type Labels = Record<string, string>;
type Tracked = Counter<string> | Gauge<string>;

function labelsOf(key: string): { namespace: string; rollout: string } {
  const [namespace = "", rollout = ""] = key.split("/");
  return { namespace, rollout };
}

/**
 * Seconds from a timed pause's deadline until `at`, when this write moved the Rollout past the pause step
 * it held; undefined for anything else, and for a pause a person ended before its deadline.
 */
function pauseOverrun(
  spec: unknown,
  before: RolloutStatus,
  after: RolloutStatus,
  at: number,
): number | undefined {
  const index = before.currentStepIndex;
  if (!before.pauseStartTime || index === undefined || (after.currentStepIndex ?? -1) <= index) return;
  const steps = (spec as { strategy?: { canary?: { steps?: CanaryStep[] } } })?.strategy?.canary?.steps;
  let ms: number | undefined;
  try {
    // The spec as read, not parsed: a step that is not a valid timed pause has no deadline to time.
    ms = pauseMs(steps?.[index] ?? {}, index);
  } catch {
    return;
  }
  if (ms === undefined) return;
  const deadline = Date.parse(before.pauseStartTime) + ms;
  return Number.isFinite(deadline) && at >= deadline ? (at - deadline) / 1000 : undefined;
}

/**
 * Seconds from the start of the version now Healthy, read from the machine snapshot in status (so a
 * restarted controller measures the same), or undefined when this is not the version's first Healthy:
 * a first deploy (no machine), another version's machine, or Ready was True since the start (a later
 * scale-up going Progressing → Healthy must not count again).
 */
function rolloutSeconds(before: RolloutStatus, after: RolloutStatus): number | undefined {
  const context = (after.machine ?? before.machine)?.context as
    | { podHash?: unknown; startedAt?: unknown }
    | undefined;
  if (!context || context.podHash !== after.currentPodHash || typeof context.startedAt !== "string") return;
  const started = Date.parse(context.startedAt);
  const ready = before.conditions?.find((c) => c.type === "Ready");
  if (!Number.isFinite(started) || (ready && Date.parse(ready.lastTransitionTime) > started)) return;
  const ended = Date.parse(after.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime ?? "");
  return Number.isFinite(ended) && ended >= started ? (ended - started) / 1000 : undefined;
}
