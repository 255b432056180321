// Status writes that only report counts are held briefly so they ride along with the next real change.
// A Rollout's pods come and go one at a time; writing each count on its own doubled the status writes of
// a canary step. What is held is an observation, re-derived by every reconcile, so a restart loses nothing.
import { isObject } from "../json.ts";

/** How long a count-only change may wait for company before it is written on its own. */
export const COALESCE_MS = 2000;
/**
 * A count-only change may instead wait for a write already due this soon (a pause ends, and the next step
 * writes status anyway): one write where a short pause took two. Longer deadlines would leave counts stale.
 */
export const RIDE_ALONG_MS = 10_000;

const COUNTS = new Set(["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"]);
/** The progress clock moves whenever pods become available; it only matters once a deadline nears. */
const PROGRESS = new Set(["progressAt", "progressMark"]);

/** Whether a status merge patch changes nothing but replica counts and the machine's progress clock. */
export function countsOnly(patch: Record<string, unknown>): boolean {
  return Object.entries(patch).every(([key, value]) => {
    if (COUNTS.has(key)) return true;
    if (key !== "machine" || !isObject(value)) return false;
    return Object.entries(value).every(
      ([k, v]) => k === "context" && isObject(v) && Object.keys(v).every((c) => PROGRESS.has(c)),
    );
  });
}

/**
 * Per Rollout, until when a count-only change is held. `hold` says whether to skip the write now and, if
 * so, when to look again; any write (or no change at all) clears the hold.
 */
export class StatusCoalescer {
  readonly #until = new Map<string, number>();
  readonly #windowMs: number;

  constructor(windowMs = COALESCE_MS) {
    this.#windowMs = windowMs;
  }

  /**
   * undefined: write now. A number: skip the write, reconcile again within that many milliseconds.
   * `dueAt`: when the reconcile's own deadline brings the next reconcile (a pause's end), if any.
   */
  hold(key: string, patch: Record<string, unknown>, now: number, dueAt?: number): number | undefined {
    if (Object.keys(patch).length === 0 || !countsOnly(patch)) {
      this.#until.delete(key);
      return undefined;
    }
    const dueIn = dueAt === undefined ? 0 : dueAt - now;
    const rideAlong = dueIn <= RIDE_ALONG_MS ? dueIn : 0;
    const until = this.#until.get(key) ?? now + Math.max(this.#windowMs, rideAlong);
    const left = until - now;
    if (left <= 0) {
      this.#until.delete(key);
      return undefined;
    }
    this.#until.set(key, until);
    return left;
  }

  forget(key: string): void {
    this.#until.delete(key);
  }
}
