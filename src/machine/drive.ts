// Drives the canary machine for one reconcile: apply user events, then settle with TICKs.
import { initialTransition, transition } from "xstate";
import { type CanaryEvent, type CanaryInput, canaryMachine, type Env, type RecordParams } from "./canary.ts";
import type { CanarySnapshot } from "./persist.ts";

export type DriveResult = { snapshot: CanarySnapshot; records: RecordParams[] };

const fingerprint = (s: CanarySnapshot) => JSON.stringify([s.value, s.context]);

function collect(actions: { type: string; params?: unknown }[], into: RecordParams[]): void {
  for (const a of actions) if (a.type === "record" && a.params) into.push(a.params as RecordParams);
}

/** A fresh machine for a new revision (or changed steps). */
export function startCanary(input: CanaryInput): DriveResult {
  const [snapshot, actions] = initialTransition(canaryMachine, input);
  const records: RecordParams[] = [];
  collect(actions, records);
  return { snapshot, records };
}

/**
 * Applies `events` in order, then TICKs until nothing changes, so several immediate steps complete
 * in one reconcile. Each TICK sees the same observations; a step whose pods are not in place yet
 * stops the loop, so the machine never runs ahead of the cluster.
 */
export function drive(start: CanarySnapshot, events: CanaryEvent[], env: Env): DriveResult {
  const records: RecordParams[] = [];
  let snapshot = start;
  for (const event of events) {
    const [next, actions] = transition(canaryMachine, snapshot, event);
    snapshot = next;
    collect(actions, records);
  }
  const limit = env.steps.length * 3 + 5;
  for (let i = 0; i < limit; i++) {
    const [next, actions] = transition(canaryMachine, snapshot, { type: "TICK", env });
    const changed = fingerprint(next) !== fingerprint(snapshot);
    snapshot = next;
    collect(actions, records);
    if (!changed) break;
  }
  return { snapshot, records };
}
