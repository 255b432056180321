// The canary machine for one reconcile: start it for a new version, drive it with what the cluster shows.
import { initialTransition } from "xstate";
import { collect, type DriveResult, settle } from "../../core/drive.ts";
import type { RecordParams } from "../../core/records.ts";
import { type CanaryEvent, type CanaryInput, canaryMachine, type Env } from "./machine.ts";
import type { CanarySnapshot } from "./persist.ts";

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
