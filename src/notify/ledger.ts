// The ledger a status write carries: what was owed, less what was delivered (or given up), plus the
// transitions this write records. Pure: the reconcile calls it with what it read and what it will write.
import { MAX_PENDING, type NotificationLedger, type PendingNotification } from "../api/index.ts";
import type { Transition } from "./derive.ts";

/** `seq|recipient`: one message to one destination. */
export const receiptKey = (seq: number, to: string): string => `${seq}|${to}`;

export type LedgerUpdate = {
  /** The ledger to write (undefined: the Rollout never owed a notification, write nothing). */
  ledger: NotificationLedger | undefined;
  /** Entries pushed out by MAX_PENDING: lost, to be counted and reported. */
  overflow: PendingNotification[];
};

export function nextLedger(
  persisted: NotificationLedger | undefined,
  done: ReadonlySet<string>,
  owed: readonly (Transition & { to: string[] })[],
  /** The stable version's pod-template hash, recorded when a healthy event is owed. */
  live?: string,
): LedgerUpdate {
  let seq = persisted?.seq ?? 0;
  const pending: PendingNotification[] = [];
  for (const e of persisted?.pending ?? []) {
    const to = e.to.filter((t) => !done.has(receiptKey(e.seq, t)));
    if (to.length > 0) pending.push(to.length === e.to.length ? e : { ...e, to });
  }
  for (const t of owed) if (t.to.length > 0) pending.push({ ...t, seq: ++seq });
  const overflow = pending.splice(0, Math.max(0, pending.length - MAX_PENDING));
  // The stable version is live again after a Git rollback too: its recovery is not news either.
  const announced = owed.some((t) => t.event === "healthy" || t.event === "rolledBack");
  const healthy = announced && live ? live : persisted?.healthy;
  if (seq === 0) return { ledger: undefined, overflow };
  return {
    ledger: { seq, ...(pending.length > 0 ? { pending } : {}), ...(healthy ? { healthy } : {}) },
    overflow,
  };
}
