// Why a Rollout was aborted: the code as a red badge, the full message in its tooltip.
import type { RolloutSummary } from "../../../contract.ts";

export function AbortBadge(props: { abort: NonNullable<RolloutSummary["abort"]> }) {
  const { abort } = props;
  const by = abort.by ? ` (by ${abort.by})` : "";
  return (
    <span class="badge badge-abort" data-testid="abort-badge" title={`${abort.message}${by}`}>
      {abort.reason}
    </span>
  );
}
