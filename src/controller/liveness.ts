// What /healthz checks beyond "the process answers": a leader that stopped renewing its Lease, and a
// reconcile that has run far longer than any should (a request or a provider that never returns). Either
// makes the kubelet restart the pod, as client-go's leader-election healthz adaptor does for the first.
import type { Check } from "../observability/http.ts";

/** The reconciles running now and since when, so a stuck one can be seen from outside the work queue. */
export class InFlight {
  readonly #started = new Map<object, { key: string; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Runs `fn`, recorded as running for `key` until it settles. */
  async track<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const token = {};
    this.#started.set(token, { key, at: this.#now() });
    try {
      return await fn();
    } finally {
      this.#started.delete(token);
    }
  }

  /** The longest-running reconcile and for how long, or undefined when none runs. */
  oldest(): { key: string; ms: number } | undefined {
    let first: { key: string; at: number } | undefined;
    for (const s of this.#started.values()) if (!first || s.at < first.at) first = s;
    return first && { key: first.key, ms: this.#now() - first.at };
  }
}

export type LivenessOptions = {
  /** The elector when leader election is on: healthy unless it leads without having renewed in time. */
  elector?: () => { renewalOverdueMs(): number } | undefined;
  /** How long past the Lease's duration a leader may go unrenewed before /healthz fails. */
  leaseToleranceMs: number;
  reconciles: readonly InFlight[];
  /** A reconcile running longer than this fails /healthz; 0 never does. */
  stuckReconcileMs: number;
  /** Told once per failing answer, with what failed (for the log). */
  onFailure?: (what: Record<string, unknown>) => void;
};

/** The /healthz checks by name: "leaderLease" and "reconcile". */
export function livenessChecks(opts: LivenessOptions): Record<string, Check> {
  return {
    leaderLease: () => {
      const overdue = opts.elector?.()?.renewalOverdueMs() ?? 0;
      if (overdue <= opts.leaseToleranceMs) return true;
      opts.onFailure?.({ check: "leaderLease", overdueMs: overdue });
      return false;
    },
    reconcile: () => {
      if (opts.stuckReconcileMs <= 0) return true;
      for (const r of opts.reconciles) {
        const oldest = r.oldest();
        if (oldest && oldest.ms > opts.stuckReconcileMs) {
          opts.onFailure?.({ check: "reconcile", key: oldest.key, runningMs: oldest.ms });
          return false;
        }
      }
      return true;
    },
  };
}
