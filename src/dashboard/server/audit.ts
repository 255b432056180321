// One audit line per action, whatever its outcome: who (as the apiserver named them), what, on which Rollout.
import type { Logger } from "../../observability/log.ts";
import type { DashboardAction } from "../contract.ts";
import type { Identity } from "./identity.ts";

export type AuditOutcome = "done" | "forbidden" | "refused" | "not_found" | "failed";

export function audit(
  log: Logger,
  who: Identity,
  action: DashboardAction,
  ref: { namespace: string; name: string },
  outcome: AuditOutcome,
  message: string,
): void {
  log.info(
    {
      audit: true,
      user: who.user,
      groups: who.groups,
      action,
      namespace: ref.namespace,
      rollout: ref.name,
      outcome,
      message,
    },
    "dashboard action",
  );
}
