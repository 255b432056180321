// `kubectl ramp list rollouts`: one row per Rollout, like `kubectl get`. Pure, for inline snapshots.
import { age, type Paint, plain, table } from "./format.ts";
import { stepOf } from "./tree.ts";
import { type RolloutView, rolloutView } from "./view.ts";

export type TableOptions = {
  now: number;
  allNamespaces?: boolean;
  wide?: boolean;
  paint?: Paint;
  /** Keep the given order (--sort-by) instead of namespace, then name. */
  keepOrder?: boolean;
  /** Leave the header row out (--no-headers). */
  noHeaders?: boolean;
};

const phaseCell = (v: RolloutView, paint: Paint): string => {
  const phase = v.status.phase;
  if (!phase) return "-";
  return phase === "Healthy" ? paint.ok(phase) : phase === "Degraded" ? paint.bad(phase) : paint.warn(phase);
};

/** NAME STRATEGY PHASE STEP WEIGHT READY AGE (NAMESPACE first with -A; IMAGES and MESSAGE with wide). */
export function renderRolloutTable(rollouts: unknown[], opts: TableOptions): string[] {
  const paint = opts.paint ?? plain;
  const views = rollouts.map(rolloutView);
  if (!opts.keepOrder)
    views.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const head = ["NAME", "STRATEGY", "PHASE", "STEP", "WEIGHT", "READY", "AGE"];
  if (opts.wide) head.push("IMAGES", "MESSAGE");
  const rows = views.map((v) => {
    const row = [
      v.name,
      v.strategy,
      phaseCell(v, paint),
      stepOf(v),
      v.strategy === "Canary" ? String(v.status.canary?.weight ?? 0) : "-",
      `${v.status.readyReplicas ?? 0}/${v.replicas}`,
      age(v.created, opts.now),
    ];
    if (opts.wide) row.push(v.images.join(",") || "-", v.status.message ?? "");
    return opts.allNamespaces ? [v.namespace, ...row] : row;
  });
  const lines = table([opts.allNamespaces ? ["NAMESPACE", ...head] : head, ...rows]);
  return opts.noHeaders ? lines.slice(1) : lines;
}
