// Moves the blue-green machine's snapshot in and out of status.machine, validated by zod.
import { initialTransition } from "xstate";
import { z } from "zod";
import type { MachineSnapshot } from "../../api/index.ts";
import { type DriveResult, settle } from "../../core/drive.ts";
import { ERROR_CODES, type ErrorCode } from "../../errors.ts";
import {
  BLUEGREEN_MACHINE_VERSION,
  type BlueGreenContext,
  type BlueGreenEnv,
  type BlueGreenEvent,
  blueGreenMachine,
} from "./machine.ts";

const codes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
const STATES = [
  "Preview",
  "Gate",
  "PrePromotion",
  "Promotable",
  "Paused",
  "ScalingUp",
  "Switched",
  "PostPromotion",
  "PostPaused",
  "Completed",
  "Aborted",
] as const;
export type BlueGreenState = (typeof STATES)[number];

const Context = z.object({
  podHash: z.string(),
  startedAt: z.iso.datetime().optional(),
  attempt: z.int().min(0),
  userPaused: z.boolean(),
  fullPromotion: z.boolean(),
  availableAt: z.iso.datetime().optional(),
  switchedAt: z.iso.datetime().optional(),
  pauseReason: z.enum(["awaitingPromotion", "inconclusive"]).optional(),
  abort: z
    .object({ reason: z.enum(codes), message: z.string(), by: z.string().optional(), at: z.iso.datetime() })
    .optional(),
});

export type BlueGreenSnapshot = ReturnType<typeof blueGreenMachine.resolveState>;

export function dehydrateBlueGreen(s: BlueGreenSnapshot): MachineSnapshot {
  return {
    version: BLUEGREEN_MACHINE_VERSION,
    value: String(s.value),
    context: JSON.parse(JSON.stringify(s.context)),
  };
}

export function hydrateBlueGreen(p: MachineSnapshot | undefined): BlueGreenSnapshot | undefined {
  if (!p || p.version !== BLUEGREEN_MACHINE_VERSION) return undefined;
  const state = z.enum(STATES).safeParse(p.value);
  const context = Context.safeParse(p.context);
  if (!state.success || !context.success) return undefined;
  return blueGreenMachine.resolveState({ value: state.data, context: context.data as BlueGreenContext });
}

export const blueGreenState = (s: BlueGreenSnapshot): BlueGreenState => String(s.value) as BlueGreenState;

export function startBlueGreen(podHash: string, now?: number): BlueGreenSnapshot {
  return initialTransition(blueGreenMachine, { podHash, now })[0];
}

export function driveBlueGreen(
  start: BlueGreenSnapshot,
  events: BlueGreenEvent[],
  env: BlueGreenEnv,
): DriveResult<BlueGreenSnapshot> {
  return settle(blueGreenMachine, start, events, { type: "TICK", env }, 12);
}
