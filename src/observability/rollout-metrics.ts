// The Rollout series: set from each reconcile's status write, removed with the Rollout. Every label
// value is the Rollout's namespace/name or comes from a fixed set, so cardinality is bounded by Rollouts.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { PHASES, type RolloutStatus } from "../api/index.ts";
import { ERROR_CODES, RampError } from "../errors.ts";
import { statusCodeOf } from "../kube/client.ts";
import type { StatusFields } from "../rollout/outcome.ts";
import type { Versions } from "../rollout/replicasets.ts";

/** What one reconcile wrote: the object as read (spec and old status), the status written and the pods. */
export type RolloutObservation = {
  key: string;
  /** The Rollout as read from the cache (possibly not matching the schema, so read defensively). */
  object: { spec?: unknown; status?: RolloutStatus | undefined };
  /** The status fields the reconcile wrote (`null` removes a field); unlisted fields keep their value. */
  written: StatusFields;
  /** The Rollout's ReplicaSets by role; undefined when the spec could not be parsed. */
  versions?: Versions | undefined;
};

type Base = "namespace" | "rollout";
const ROLES = ["stable", "canary", "total"] as const;
const CONDITION_TYPES = new Set([
  "Ready",
  "Reconciling",
  "Stalled",
  "Progressing",
  "Paused",
  "Available",
  "Aborted",
]);
/** Reasons of ramp's conditions besides the error codes (src/rollout/conditions.ts). */
const CONDITION_REASONS = new Set<string>([
  ...Object.keys(ERROR_CODES),
  ...PHASES,
  "RollingOut",
  "AsExpected",
  "ReplicaSetUpdated",
  "NewReplicaSetAvailable",
  "NotPaused",
  "PausedStep",
  "PausedByUser",
  "PausedInGit",
  "MinimumReplicasAvailable",
  "MinimumReplicasUnavailable",
  "NotAborted",
]);
const ROUTERS = ["gatewayAPI", "istio", "nginx"] as const;

// From a 10 s canary to a day-long one.
const rolloutBuckets = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];
// A reconcile reads caches and makes a few writes: milliseconds, seconds when the apiserver is slow.
const reconcileBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const known = (set: ReadonlySet<string>, v: string | undefined): string =>
  v !== undefined && set.has(v) ? v : "Other";
const codeSet: ReadonlySet<string> = new Set(Object.keys(ERROR_CODES));

export class RolloutMetrics {
  readonly info: Gauge<Base | "strategy" | "phase" | "traffic_router">;
  readonly phase: Gauge<Base | "phase">;
  readonly condition: Gauge<Base | "type" | "status" | "reason">;
  readonly step: Gauge<Base>;
  readonly steps: Gauge<Base>;
  readonly canaryWeight: Gauge<Base>;
  readonly replicasDesired: Gauge<Base | "role">;
  readonly replicasAvailable: Gauge<Base | "role">;
  readonly transitions: Counter<Base | "from" | "to">;
  readonly aborts: Counter<Base | "reason">;
  readonly duration: Histogram<Base>;
  readonly reconcileDuration: Histogram;
  readonly reconcileErrors: Counter<Base | "reason">;
  /** Per Rollout key, every series set for it (metric name → label sets), so forget() removes them all. */
  readonly #series = new Map<
    string,
    Map<Gauge<string> | Counter<string> | Histogram<string>, Map<string, Labels>>
  >();

  /** Whether the Rollout is still in the cache: a reconcile ending after its delete must not revive series. */
  readonly #exists: (key: string) => boolean;

  constructor(registry: Registry, opts: { exists?: (key: string) => boolean } = {}) {
    this.#exists = opts.exists ?? (() => true);
    const registers = [registry];
    const base = ["namespace", "rollout"] as const;
    this.info = new Gauge({
      name: "ramp_rollout_info",
      help: "Always 1 for each Rollout; its labels give the strategy, the phase and the traffic router.",
      labelNames: [...base, "strategy", "phase", "traffic_router"],
      registers,
    });
    this.phase = new Gauge({
      name: "ramp_rollout_phase",
      help: "1 for the Rollout's current phase (Healthy, Progressing, Paused, Degraded), 0 for the others.",
      labelNames: [...base, "phase"],
      registers,
    });
    this.condition = new Gauge({
      name: "ramp_rollout_condition",
      help: "1 for each condition the Rollout has, with its status and reason (a stable code).",
      labelNames: [...base, "type", "status", "reason"],
      registers,
    });
    this.step = new Gauge({
      name: "ramp_rollout_step",
      help: "Index of the canary step being executed (0-based); equal to ramp_rollout_steps when all are done.",
      labelNames: base,
      registers,
    });
    this.steps = new Gauge({
      name: "ramp_rollout_steps",
      help: "Number of steps in the Rollout's canary strategy.",
      labelNames: base,
      registers,
    });
    this.canaryWeight = new Gauge({
      name: "ramp_rollout_canary_weight",
      help: "Percent (0-100) of traffic, or of pods without a traffic router, that goes to the canary.",
      labelNames: base,
      registers,
    });
    this.replicasDesired = new Gauge({
      name: "ramp_rollout_replicas_desired",
      help: "Pods asked for, by role: the stable and canary versions' ReplicaSets and the Rollout's spec.replicas.",
      labelNames: [...base, "role"],
      registers,
    });
    this.replicasAvailable = new Gauge({
      name: "ramp_rollout_replicas_available",
      help: "Available pods by role: the stable version, the canary version, and all versions together.",
      labelNames: [...base, "role"],
      registers,
    });
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
      labelNames: base,
      buckets: rolloutBuckets,
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: "ramp_rollout_reconcile_duration_seconds",
      help: "Time one reconcile of a Rollout took, errors included.",
      buckets: reconcileBuckets,
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

  /** Brings a Rollout's series up to the status its reconcile just wrote. */
  observe(o: RolloutObservation): void {
    if (!this.#exists(o.key)) return;
    const base = labelsOf(o.key);
    const before = o.object.status ?? {};
    const after = effective(before, o.written);
    const spec = (o.object.spec ?? {}) as SpecView;
    const phase = after.phase ?? "None";

    this.#replace(o.key, this.info, {
      ...base,
      strategy: strategyOf(spec),
      phase,
      traffic_router: routerOf(spec),
    });
    for (const p of PHASES) this.#set(o.key, this.phase, { ...base, phase: p }, p === after.phase ? 1 : 0);
    for (const c of after.conditions ?? []) {
      if (!CONDITION_TYPES.has(c.type)) continue;
      this.#replace(
        o.key,
        this.condition,
        { ...base, type: c.type, status: c.status, reason: known(CONDITION_REASONS, c.reason) },
        "type",
      );
    }
    this.#optional(o.key, this.step, base, after.currentStepIndex);
    this.#optional(o.key, this.steps, base, after.stepCount);
    const w = after.canary;
    const total = (w?.weight ?? 0) + (w?.stableWeight ?? 0);
    this.#optional(
      o.key,
      this.canaryWeight,
      base,
      w?.weight === undefined ? undefined : total > 0 ? (w.weight * 100) / total : 0,
    );
    if (o.versions) this.#replicas(o, base, after);

    if (before.phase !== after.phase && after.phase) {
      this.#inc(o.key, this.transitions, { ...base, from: before.phase ?? "None", to: after.phase });
    }
    if (after.abort && after.abort.at !== before.abort?.at) {
      this.#inc(o.key, this.aborts, { ...base, reason: known(codeSet, after.abort.reason) });
    }
    const seconds =
      before.phase !== "Healthy" && after.phase === "Healthy" ? rolloutSeconds(before, after) : undefined;
    if (seconds !== undefined) {
      this.duration.observe(base, seconds);
      this.#track(o.key, this.duration, base);
    }
  }

  /** Removes every series of a deleted Rollout. */
  forget(key: string): void {
    for (const [metric, sets] of this.#series.get(key) ?? [])
      for (const labels of sets.values()) metric.remove(labels);
    this.#series.delete(key);
  }

  #replicas(o: RolloutObservation, base: Labels, after: RolloutStatus): void {
    const { current, stable } = o.versions ?? { others: [] };
    // At steady state the current version is the stable one: there is no canary.
    const canary = current !== stable ? current : undefined;
    const spec = (o.object.spec ?? {}) as SpecView;
    const counts: Record<(typeof ROLES)[number], [number, number]> = {
      stable: pods(stable),
      canary: pods(canary),
      total: [typeof spec.replicas === "number" ? spec.replicas : 0, after.availableReplicas ?? 0],
    };
    for (const role of ROLES) {
      const [desired, available] = counts[role];
      this.#set(o.key, this.replicasDesired, { ...base, role }, desired);
      this.#set(o.key, this.replicasAvailable, { ...base, role }, available);
    }
  }

  #set(key: string, g: Gauge<string>, labels: Labels, value: number): void {
    g.set(labels, value);
    this.#track(key, g, labels);
  }

  #inc(key: string, c: Counter<string>, labels: Labels): void {
    c.inc(labels);
    this.#track(key, c, labels);
  }

  /** Sets a gauge, or removes its series when the status has no such field (e.g. steps of a blue-green). */
  #optional(key: string, g: Gauge<string>, labels: Labels, value: number | undefined): void {
    if (value === undefined) {
      g.remove(labels);
      this.#series.get(key)?.get(g)?.delete(JSON.stringify(labels));
    } else this.#set(key, g, labels, value);
  }

  /**
   * Sets `labels` to 1 and removes the series it replaces: all of the gauge's series for the Rollout, or
   * with `by`, those with the same value of that label (one series per condition type).
   */
  #replace(key: string, g: Gauge<string>, labels: Labels, by?: string): void {
    const sets = this.#series.get(key)?.get(g);
    for (const [id, old] of sets ?? []) {
      if (id === JSON.stringify(labels) || (by !== undefined && old[by] !== labels[by])) continue;
      g.remove(old);
      sets?.delete(id);
    }
    this.#set(key, g, labels, 1);
  }

  #track(key: string, metric: Tracked, labels: Labels): void {
    const byMetric = this.#series.get(key) ?? new Map<Tracked, Map<string, Labels>>();
    this.#series.set(key, byMetric);
    const sets = byMetric.get(metric) ?? new Map<string, Labels>();
    byMetric.set(metric, sets);
    sets.set(JSON.stringify(labels), labels);
  }
}

type Labels = Record<string, string>;
type Tracked = Gauge<string> | Counter<string> | Histogram<string>;
type SpecView = {
  replicas?: unknown;
  strategy?: { canary?: { trafficRouting?: Record<string, unknown> }; blueGreen?: unknown };
};

function labelsOf(key: string): Labels {
  const [namespace = "", rollout = ""] = key.split("/");
  return { namespace, rollout };
}

/** The status after a merge patch of `written` (top-level fields; nested objects are written whole). */
function effective(before: RolloutStatus, written: StatusFields): RolloutStatus {
  const out: Record<string, unknown> = { ...before };
  for (const [k, v] of Object.entries(written)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return out as RolloutStatus;
}

const strategyOf = (spec: SpecView): string =>
  spec.strategy?.blueGreen ? "blueGreen" : spec.strategy?.canary ? "canary" : "Other";

/** "none", one router, or several joined by "+" in a fixed order (a Rollout may weight more than one). */
function routerOf(spec: SpecView): string {
  const routing = spec.strategy?.canary?.trafficRouting ?? {};
  const used = ROUTERS.filter((r) => routing[r] !== undefined);
  return used.length === 0 ? "none" : used.join("+");
}

function pods(rs: V1ReplicaSet | undefined): [number, number] {
  const desired = rs?.spec?.replicas ?? 0;
  return [desired, Math.min(desired, rs?.status?.availableReplicas ?? 0)];
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
