// `kubectl ramp status`: whether a Rollout is done, for CI. Healthy (promoted, controller caught up) is
// success, Degraded is failure, anything else is waiting; a pause fails only when asked to.
import { setTimeout as sleep } from "node:timers/promises";
import type { RolloutRef } from "../actions/client.ts";
import { rolloutView } from "./view.ts";

export type Verdict =
  | { done: true; ok: true; line: string }
  | { done: true; ok: false; line: string }
  | { done: false; line: string };

/** What `status` says about one read of the Rollout. */
export function verdictOf(raw: unknown, opts: { failOnPause?: boolean } = {}): Verdict {
  const v = rolloutView(raw);
  const s = v.status;
  const observed = s.observedGeneration ?? 0;
  if (v.generation !== undefined && observed < v.generation)
    return { done: false, line: `waiting for the controller to observe generation ${v.generation}` };
  const message = s.message ?? "";
  switch (s.phase) {
    case "Healthy":
      if (s.stableRS !== undefined && s.stableRS === s.currentPodHash)
        return { done: true, ok: true, line: `Healthy: ${message}` };
      return { done: false, line: `Progressing: ${message}` };
    case "Degraded": {
      const stalled = s.conditions?.find((c) => c.type === "Stalled" && c.status === "True");
      const reason = s.abort?.reason ?? stalled?.reason ?? "Degraded";
      const why = s.abort?.message ?? stalled?.message ?? message;
      return { done: true, ok: false, line: `Degraded (${reason}): ${why}` };
    }
    case "Paused":
      return opts.failOnPause
        ? { done: true, ok: false, line: `Paused: ${message}` }
        : { done: false, line: `Paused: ${message}` };
    case undefined:
      return { done: false, line: "waiting for the controller to report a status" };
    default:
      return { done: false, line: `${s.phase}: ${message}` };
  }
}

export type WaitResult = { outcome: "healthy" | "failed" | "timeout" | "interrupted"; line: string };

/**
 * Reads the Rollout every `intervalMs` until it is done or `timeoutMs` passes (0: no limit), calling
 * `onLine` whenever the line changes. `watch: false` reads once and reports "timeout" when not done.
 */
export async function waitForRollout(
  get: (ref: RolloutRef) => Promise<unknown>,
  ref: RolloutRef,
  opts: {
    watch: boolean;
    timeoutMs: number;
    failOnPause?: boolean;
    intervalMs?: number;
    onLine?: (line: string) => void;
    signal?: AbortSignal;
  },
): Promise<WaitResult> {
  const deadline = opts.timeoutMs > 0 ? Date.now() + opts.timeoutMs : Number.POSITIVE_INFINITY;
  let last = "";
  for (;;) {
    const verdict = verdictOf(await get(ref), { failOnPause: opts.failOnPause ?? false });
    if (verdict.line !== last) opts.onLine?.(verdict.line);
    last = verdict.line;
    if (verdict.done) return { outcome: verdict.ok ? "healthy" : "failed", line: verdict.line };
    const left = deadline - Date.now();
    if (!opts.watch || left <= 0) return { outcome: "timeout", line: verdict.line };
    const wait = Math.min(opts.intervalMs ?? 1000, left);
    await sleep(wait, undefined, opts.signal ? { signal: opts.signal } : {}).catch(() => {});
    if (opts.signal?.aborted) return { outcome: "interrupted", line: verdict.line };
  }
}
