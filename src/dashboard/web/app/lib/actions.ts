// What each action will do to this Rollout, in words, for the confirmation before it is sent. The words
// come from the detail the server pushed; the server and the apiserver still decide whether it may happen.
import type { DashboardAction, RolloutDetail, StepView } from "../../../contract.ts";

export const ACTION_LABELS: Record<DashboardAction, string> = {
  promote: "Promote",
  promoteFull: "Promote full",
  abort: "Abort",
  retry: "Retry",
  pause: "Pause",
  resume: "Resume",
  undo: "Undo",
  restart: "Restart",
};

/** The weight a `setWeight N` step sets, else undefined. */
export function stepWeight(step: StepView): number | undefined {
  const m = /^setWeight\s+(\d+(?:\.\d+)?)\b/.exec(step.describe.trim());
  return m ? Number(m[1]) : undefined;
}

/** The weight in effect once step `i` (0-based) is reached: the last setWeight at or before it. */
export function weightAtStep(steps: readonly StepView[], i: number, fallback: number): number {
  for (let j = Math.min(i, steps.length - 1); j >= 0; j--) {
    const step = steps[j];
    const w = step === undefined ? undefined : stepWeight(step);
    if (w !== undefined) return w;
  }
  return fallback;
}

/** 0-based position of the current step: the step marked current, else the summary's 1-based index. */
function currentStep(d: RolloutDetail): number | undefined {
  const i = d.steps.findIndex((s) => s.state === "current");
  if (i >= 0) return i;
  return d.step ? d.step.index - 1 : undefined;
}

const pct = (n: number): string => `${n}%`;
const imageList = (images: readonly string[]): string => (images.length ? ` (${images.join(", ")})` : "");

function promote(d: RolloutDetail, full: boolean): string {
  const what = full ? `Promote ${d.name} fully` : `Promote ${d.name}`;
  if (d.strategy === "blueGreen") {
    const skip = full ? ", skipping any remaining pause and analysis" : "";
    return `${what}: the preview version${imageList(d.images)} becomes active and receives all traffic${skip}.`;
  }
  const weight = d.weight ?? 0;
  const count = d.steps.length;
  const i = currentStep(d);
  if (count === 0 || i === undefined) {
    return `${what}: weight ${pct(weight)} → 100%; the new version${imageList(d.images)} becomes stable.`;
  }
  if (full || i + 1 >= count) {
    const skipped = full && i + 1 < count ? `, skipping steps ${i + 2}–${count}` : "";
    return `${what}: step ${i + 1}/${count} → done${skipped}, weight ${pct(weight)} → 100%; the new version${imageList(d.images)} becomes stable.`;
  }
  const next = weightAtStep(d.steps, i + 1, weight);
  return `${what}: step ${i + 1}/${count} → ${i + 2}/${count}, weight ${pct(weight)} → ${pct(next)}.`;
}

/** The revision undo goes back to: the newest revision older than the newest one. */
function previousVersion(d: RolloutDetail) {
  const sorted = [...d.versions].sort((a, b) => b.revision - a.revision);
  return sorted.length > 1 ? { current: sorted[0], previous: sorted[1] } : { current: sorted[0] };
}

function stepText(d: RolloutDetail): string {
  const i = currentStep(d);
  return i === undefined || d.steps.length === 0 ? "" : ` at step ${i + 1}/${d.steps.length}`;
}

/** One sentence saying exactly what the action will do, e.g. "Promote web: step 2/5 → 3/5, weight 20% → 50%." */
export function describeAction(d: RolloutDetail, action: DashboardAction): string {
  const weight = d.weight ?? 0;
  switch (action) {
    case "promote":
      return promote(d, false);
    case "promoteFull":
      return promote(d, true);
    case "abort": {
      const stable = imageList(d.stableImages ?? []);
      if (d.strategy === "blueGreen")
        return `Abort ${d.name}: traffic stays on the active version${stable}, the preview version is scaled down and the Rollout becomes Degraded until retried.`;
      return `Abort ${d.name}: weight ${pct(weight)} → 0%, all traffic back to the stable version${stable}; the new version is scaled down and the Rollout becomes Degraded until retried.`;
    }
    case "retry": {
      const count = d.steps.length;
      const from = count > 0 ? ` from step 1/${count}, weight ${pct(weightAtStep(d.steps, 0, 0))}` : "";
      return `Retry ${d.name}: clear the abort (${d.abort?.reason ?? "none"}) and start the update${imageList(d.images)} again${from}.`;
    }
    case "pause":
      return `Pause ${d.name}${stepText(d)}: weight stays ${pct(weight)} and no step advances until resumed.`;
    case "resume":
      return `Resume ${d.name}${stepText(d)}: steps advance again from weight ${pct(weight)}.`;
    case "undo": {
      const { current, previous } = previousVersion(d);
      if (!previous) return `Undo ${d.name}: restore the previous revision's pod template as a new update.`;
      const from = current ? ` (replacing revision ${current.revision})` : "";
      return `Undo ${d.name}: restore the pod template of revision ${previous.revision}${imageList(previous.images)} as a new update${from}; it goes through the steps like any change.`;
    }
    case "restart": {
      const pods = d.versions.reduce((n, v) => n + v.pods.length, 0);
      return `Restart ${d.name}: set spec.restartAt to now, so its ${pods === 1 ? "1 pod is" : `${pods} pods are`} replaced a few at a time; images and traffic weights do not change.`;
    }
  }
}
