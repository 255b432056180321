// spec.rollbackWindow: going back to a version that ran within the newest `revisions` revisions skips the
// steps (Argo's fast-track rollback). The version's ReplicaSet is still there; its revision says how recent.
import type { RolloutContext } from "../../core/context.ts";
import { nextRevision, revisionOf } from "../../core/replicasets.ts";

/** True when the version the spec asks for is an older revision inside the window. */
export function withinRollbackWindow(ctx: RolloutContext): boolean {
  const window = ctx.rollout.spec.rollbackWindow?.revisions ?? 0;
  const current = ctx.versions.current;
  if (window === 0 || !current) return false;
  const latest = nextRevision(ctx.all) - 1;
  const revision = revisionOf(current);
  // Revisions 5 (latest), 4 and 3 are the newest 3: going back to 4 or 3 is inside a window of 3.
  return revision < latest && revision > latest - window;
}
