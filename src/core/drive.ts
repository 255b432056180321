// Drives a strategy's state machine for one reconcile: apply user events, then settle with TICKs.
import { type AnyStateMachine, type EventFromLogic, type SnapshotFrom, transition } from "xstate";
import type { RecordParams } from "./records.ts";

export type DriveResult<S> = { snapshot: S; records: RecordParams[] };

export function collect(actions: { type: string; params?: unknown }[], into: RecordParams[]): void {
  for (const a of actions) if (a.type === "record" && a.params) into.push(a.params as RecordParams);
}

/**
 * Applies `events` in order, then `tick` until nothing changes, so several immediate steps complete in one
 * reconcile. Every tick sees the same observations; a step whose world is not in place yet stops the loop,
 * so the machine never runs ahead of the cluster.
 */
export function settle<M extends AnyStateMachine>(
  machine: M,
  start: SnapshotFrom<M>,
  events: EventFromLogic<M>[],
  tick: EventFromLogic<M>,
  limit: number,
): DriveResult<SnapshotFrom<M>> {
  const records: RecordParams[] = [];
  const fingerprint = (s: SnapshotFrom<M>) => {
    const { value, context } = s as { value: unknown; context: unknown };
    return JSON.stringify([value, context]);
  };
  let snapshot = start;
  for (const event of events) {
    const [next, actions] = transition(machine, snapshot, event);
    snapshot = next;
    collect(actions, records);
  }
  for (let i = 0; i < limit; i++) {
    const [next, actions] = transition(machine, snapshot, tick);
    const changed = fingerprint(next) !== fingerprint(snapshot);
    snapshot = next;
    collect(actions, records);
    if (!changed) break;
  }
  return { snapshot, records };
}
