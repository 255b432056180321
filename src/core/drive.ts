// Drives a rollout state machine for one reconcile: apply user events, then settle with TICKs.
import {
  type AnyStateMachine,
  type EventFromLogic,
  initialTransition,
  type SnapshotFrom,
  transition,
} from "xstate";
import {
  type CanaryEvent,
  type CanaryInput,
  canaryMachine,
  type Env,
  type RecordParams,
} from "../strategy/canary/machine.ts";
import type { CanarySnapshot } from "../strategy/canary/persist.ts";

export type DriveResult<S> = { snapshot: S; records: RecordParams[] };

function collect(actions: { type: string; params?: unknown }[], into: RecordParams[]): void {
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

/** A fresh canary machine for a new revision (or changed steps). */
export function startCanary(input: CanaryInput): DriveResult<CanarySnapshot> {
  const [snapshot, actions] = initialTransition(canaryMachine, input);
  const records: RecordParams[] = [];
  collect(actions, records);
  return { snapshot, records };
}

export function drive(start: CanarySnapshot, events: CanaryEvent[], env: Env): DriveResult<CanarySnapshot> {
  return settle(canaryMachine, start, events, { type: "TICK", env }, env.steps.length * 3 + 5);
}

/**
 * `env` with only step `recorded` (the one status held when the reconcile began; none for a machine started
 * now) able to be found done by what the cluster shows. A step entered in this reconcile has had none of its
 * writes yet, since they follow the machine; anything it seems to show was left by a reconcile killed
 * before its status write, and completing on that would leave the step out of the status history.
 */
export function onlyRecordedStep(env: Env, recorded: number | undefined): Env {
  return { ...env, stepSatisfied: (i) => i === recorded && env.stepSatisfied(i) };
}
