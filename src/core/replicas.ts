// Replica math: how many pods each version should have, and how to get there within surge limits.

/** Resolves an absolute count or a percentage of `total` (Deployment semantics). */
export function resolveIntOrPercent(
  value: number | string | undefined,
  fallback: string,
  total: number,
  roundUp: boolean,
): number {
  const v = value ?? fallback;
  if (typeof v === "number") return v;
  const pct = Number(v.replace("%", ""));
  const raw = (pct * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** maxSurge rounds up, maxUnavailable down; both 0 would block, so unavailable becomes 1. */
export function surgeLimits(
  replicas: number,
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, "25%", replicas, true);
  let unavailable = resolveIntOrPercent(maxUnavailable, "25%", replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

/** A setCanaryScale in force: a pod count, or a share of replicas, instead of the traffic weight. */
export type CanaryScale = { weight: number } | { replicas: number };

export type Desired = { canary: number; stable: number };

export type DesiredInput = {
  replicas: number;
  weight: number;
  scale?: CanaryScale | undefined;
  /** Traffic is split by a router, so stable keeps full capacity (unless dynamicStableScale). */
  trafficRouted: boolean;
  dynamicStableScale?: boolean | undefined;
  /** With a router: a version with any pods has at least this many (minPodsPerReplicaSet). */
  minPods?: number | undefined;
  surge: number;
};

/** The pod counts of canary and stable for a weight; without a router they fit in replicas + surge. */
export function desiredCounts(input: DesiredInput): Desired {
  const d = splitCounts(input);
  if (!input.trafficRouted || input.minPods === undefined) return d;
  // A version that serves at all serves from at least minPods pods (never more than replicas).
  const floor = (n: number) => (n === 0 ? 0 : Math.min(input.replicas, Math.max(n, input.minPods ?? 0)));
  return { canary: floor(d.canary), stable: floor(d.stable) };
}

function splitCounts(input: DesiredInput): Desired {
  const { replicas: r, weight } = input;
  const byWeight = Math.min(r, Math.ceil((weight * r) / 100));
  const canary = input.scale
    ? "replicas" in input.scale
      ? input.scale.replicas
      : Math.min(r, Math.ceil((input.scale.weight * r) / 100))
    : byWeight;
  if (input.trafficRouted && !input.dynamicStableScale) return { canary, stable: r };
  let stable = r - byWeight;
  // While the canary has less than everything, stable keeps at least one pod to serve.
  if (weight < 100 && stable === 0 && r > 0) stable = 1;
  if (weight >= 100) stable = 0;
  // Without a router the pods are the split: both must fit in replicas + maxSurge, or no plan reaches them
  // (1 replica, maxSurge 0, weight 50 would wait forever for a second pod); the canary gives way.
  if (!input.trafficRouted)
    return { canary: Math.min(canary, Math.max(0, r + input.surge - stable)), stable };
  return { canary, stable };
}

export type Observed = { spec: number; available: number };
export type Plan = { canary: number; stable: number; others: number[] };

export type PlanInput = {
  replicas: number;
  surge: number;
  unavailable: number;
  desired: Desired;
  canary?: Observed | undefined;
  stable?: Observed | undefined;
  /** ReplicaSets of neither role (intermediate or old versions): they go to zero. */
  others: Observed[];
};

const avail = (o: Observed | undefined) => (o ? Math.min(o.spec, o.available) : 0);

/**
 * One move towards the desired counts: scale up within replicas + surge, scale down only as far as
 * keeps replicas - unavailable pods available. Never exceeds a desired count. Pure and idempotent.
 */
export function planScaling(input: PlanInput): Plan {
  const { desired } = input;
  let canary = input.canary?.spec ?? 0;
  let stable = input.stable?.spec ?? 0;
  const others = input.others.map((o) => o.spec);
  const total = () => canary + stable + others.reduce((a, b) => a + b, 0);
  const maxTotal = input.replicas + input.surge;

  if (canary < desired.canary) canary += Math.max(0, Math.min(maxTotal - total(), desired.canary - canary));
  if (stable < desired.stable) stable += Math.max(0, Math.min(maxTotal - total(), desired.stable - stable));

  const minAvailable = input.replicas - input.unavailable;
  let budget =
    avail(input.canary) + avail(input.stable) + input.others.reduce((a, o) => a + avail(o), 0) - minAvailable;
  // Pods that are not available can go at no cost to availability.
  const shrink = (current: number, target: number, observed: Observed | undefined): number => {
    if (current <= target) return current;
    const unready = observed ? Math.max(0, observed.spec - avail(observed)) : 0;
    const free = Math.min(current - target, unready);
    const paid = Math.min(current - target - free, Math.max(0, budget));
    budget -= paid;
    return current - free - paid;
  };
  for (let i = 0; i < others.length; i++) others[i] = shrink(others[i] ?? 0, 0, input.others[i]);
  stable = shrink(stable, desired.stable, input.stable);
  canary = shrink(canary, desired.canary, input.canary);
  return { canary, stable, others };
}

/** True when both versions are at their desired counts, all available, and nothing else runs. */
export function atDesired(
  desired: Desired,
  canary: Observed | undefined,
  stable: Observed | undefined,
  others: Observed[],
): boolean {
  const ok = (o: Observed | undefined, want: number) => (o?.spec ?? 0) === want && avail(o) >= want;
  return ok(canary, desired.canary) && ok(stable, desired.stable) && others.every((o) => o.spec === 0);
}
