// The Rollout state series (info, phase, conditions, step, weight, replicas by role), rendered at scrape
// time from the informer caches as kube-state-metrics does: nothing per Rollout is kept between scrapes.
// Objects are read defensively: a Rollout that does not match the schema never breaks a scrape.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { PHASES } from "../api/index.ts";
import { observe, ownedBy, partition } from "../core/replicasets.ts";
import { isObject } from "../json.ts";
import {
  Chunker,
  type ExpositionSource,
  escapeLabel,
  type Family,
  formatValue,
  header,
} from "./exposition.ts";
import {
  CONDITION_REASONS,
  CONDITION_TYPES,
  known,
  ROLES,
  routerOf,
  type SpecView,
  strategyOf,
} from "./rollout-labels.ts";

/** What the renderer reads: ControllerCaches, or a fake in tests. */
export interface RolloutStateSource {
  /** The cached Rollouts, raw (possibly not matching the schema). */
  rollouts: { list(): readonly unknown[] };
  /** ReplicaSets labelled as owned by the Rollout `namespace/name`. */
  replicaSetsOf(key: string): V1ReplicaSet[];
}

type Obj = Record<string, unknown>;
/** One Rollout as one scrape sees it; built per scrape and dropped with it. */
type View = {
  key: string;
  /** `namespace="…",rollout="…"`, the labels every series starts with. */
  base: string;
  uid: unknown;
  spec: SpecView;
  status: Obj;
  /** [desired, available] by role, computed once per scrape for both replica families. */
  replicas?: Record<(typeof ROLES)[number], [number, number]> | undefined;
};
type StateFamily = Family & { lines(v: View, source: RolloutStateSource): string };

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const line = (name: string, labels: string, value: number) => `${name}{${labels}} ${formatValue(value)}\n`;
const label = (name: string, value: string) => `,${name}="${escapeLabel(value)}"`;

function viewOf(o: unknown): View | undefined {
  if (!isObject(o) || !isObject(o.metadata) || typeof o.metadata.name !== "string") return undefined;
  const name = o.metadata.name;
  const namespace = typeof o.metadata.namespace === "string" ? o.metadata.namespace : "";
  return {
    key: `${namespace}/${name}`,
    base: `namespace="${escapeLabel(namespace)}",rollout="${escapeLabel(name)}"`,
    uid: o.metadata.uid,
    spec: (isObject(o.spec) ? o.spec : {}) as SpecView,
    status: isObject(o.status) ? o.status : {},
  };
}

const phaseOf = (v: View): string => (typeof v.status.phase === "string" ? v.status.phase : "None");

/** One series per condition type ramp sets; a type listed twice (never written so) counts its last. */
function conditionLines(name: string, v: View): string {
  const all = Array.isArray(v.status.conditions) ? (v.status.conditions as unknown[]) : [];
  let out = "";
  all.forEach((c, i) => {
    if (!isObject(c) || typeof c.type !== "string" || !CONDITION_TYPES.has(c.type)) return;
    if (typeof c.status !== "string") return;
    if (all.some((d, j) => j > i && isObject(d) && d.type === c.type)) return;
    const labels = `${v.base}${label("type", c.type)}${label("status", c.status)}`;
    out += line(name, `${labels}${label("reason", known(CONDITION_REASONS, c.reason))}`, 1);
  });
  return out;
}

/** Percent of traffic to the canary; weights are out of maxTrafficWeight, not always 100. */
function canaryPercent(v: View): number | undefined {
  const canary = isObject(v.status.canary) ? v.status.canary : {};
  const weight = num(canary.weight);
  if (weight === undefined) return undefined;
  const total = weight + (num(canary.stableWeight) ?? 0);
  return total > 0 ? (weight * 100) / total : 0;
}

/**
 * Pods by role, from the versions the last reconcile wrote (status.currentPodHash and stableRS) and the
 * ReplicaSets as cached now; none before a reconcile has derived versions (e.g. a spec never valid).
 */
function replicasOf(v: View, source: RolloutStateSource): View["replicas"] {
  const { currentPodHash, stableRS } = v.status;
  if (typeof currentPodHash !== "string") return undefined;
  const owned = ownedBy(v.uid, source.replicaSetsOf(v.key));
  const { current, stable } = partition(
    owned,
    currentPodHash,
    typeof stableRS === "string" ? stableRS : undefined,
  );
  // At steady state the current version is the stable one: there is no canary.
  const canary = current !== stable ? current : undefined;
  const pods = (rs: V1ReplicaSet | undefined): [number, number] => {
    const o = observe(rs);
    return [o?.spec ?? 0, o?.available ?? 0];
  };
  return {
    stable: pods(stable),
    canary: pods(canary),
    total: [num(v.spec.replicas) ?? 0, num(v.status.availableReplicas) ?? 0],
  };
}

function replicaLines(name: string, v: View, source: RolloutStateSource, at: 0 | 1): string {
  v.replicas ??= replicasOf(v, source);
  const counts = v.replicas;
  if (!counts) return "";
  let out = "";
  for (const role of ROLES) out += line(name, `${v.base}${label("role", role)}`, counts[role][at]);
  return out;
}

const optional = (name: string, v: View, value: number | undefined) =>
  value === undefined ? "" : line(name, v.base, value);

const base = ["namespace", "rollout"] as const;

/** The families in exposition order, with the HELP texts the dashboard and the docs know them by. */
export const ROLLOUT_STATE_FAMILIES: readonly StateFamily[] = [
  {
    name: "ramp_rollout_info",
    help: "Always 1 for each Rollout; its labels give the strategy, the phase and the traffic router.",
    type: "gauge",
    labelNames: [...base, "strategy", "phase", "traffic_router"],
    lines: (v) =>
      line(
        "ramp_rollout_info",
        `${v.base}${label("strategy", strategyOf(v.spec))}${label("phase", phaseOf(v))}${label("traffic_router", routerOf(v.spec))}`,
        1,
      ),
  },
  {
    name: "ramp_rollout_phase",
    help: "1 for the Rollout's current phase (Healthy, Progressing, Paused, Degraded), 0 for the others.",
    type: "gauge",
    labelNames: [...base, "phase"],
    lines: (v) => {
      const phase = phaseOf(v);
      let out = "";
      for (const p of PHASES)
        out += line("ramp_rollout_phase", `${v.base}${label("phase", p)}`, p === phase ? 1 : 0);
      return out;
    },
  },
  {
    name: "ramp_rollout_condition",
    help: "1 for each condition the Rollout has, with its status and reason (a stable code).",
    type: "gauge",
    labelNames: [...base, "type", "status", "reason"],
    lines: (v) => conditionLines("ramp_rollout_condition", v),
  },
  {
    name: "ramp_rollout_step",
    help: "Index of the canary step being executed (0-based); equal to ramp_rollout_steps when all are done.",
    type: "gauge",
    labelNames: base,
    lines: (v) => optional("ramp_rollout_step", v, num(v.status.currentStepIndex)),
  },
  {
    name: "ramp_rollout_steps",
    help: "Number of steps in the Rollout's canary strategy.",
    type: "gauge",
    labelNames: base,
    lines: (v) => optional("ramp_rollout_steps", v, num(v.status.stepCount)),
  },
  {
    name: "ramp_rollout_canary_weight",
    help: "Percent (0-100) of traffic, or of pods without a traffic router, that goes to the canary.",
    type: "gauge",
    labelNames: base,
    lines: (v) => optional("ramp_rollout_canary_weight", v, canaryPercent(v)),
  },
  {
    name: "ramp_rollout_replicas_desired",
    help: "Pods asked for, by role: the stable and canary versions' ReplicaSets and the Rollout's spec.replicas.",
    type: "gauge",
    labelNames: [...base, "role"],
    lines: (v, source) => replicaLines("ramp_rollout_replicas_desired", v, source, 0),
  },
  {
    name: "ramp_rollout_replicas_available",
    help: "Available pods by role: the stable version, the canary version, and all versions together.",
    type: "gauge",
    labelNames: [...base, "role"],
    lines: (v, source) => replicaLines("ramp_rollout_replicas_available", v, source, 1),
  },
];

/**
 * The state series of every cached Rollout, family by family (the format wants a family's samples
 * together), in chunks of about `chunkBytes`. The Rollouts are listed once per scrape, so every family
 * shows the same set even when the cache changes between chunks.
 */
export function rolloutStateCollector(
  source: RolloutStateSource,
  opts: { chunkBytes?: number } = {},
): ExpositionSource {
  return function* render() {
    const views: View[] = [];
    for (const o of source.rollouts.list()) {
      const v = viewOf(o);
      if (v) views.push(v);
    }
    const chunks = new Chunker(opts.chunkBytes);
    for (const family of ROLLOUT_STATE_FAMILIES) {
      const full = chunks.push(header(family));
      if (full !== undefined) yield full;
      for (const v of views) {
        const chunk = chunks.push(family.lines(v, source));
        if (chunk !== undefined) yield chunk;
      }
    }
    const rest = chunks.flush();
    if (rest !== undefined) yield rest;
  };
}
