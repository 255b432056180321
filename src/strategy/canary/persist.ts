// Moves the canary machine's snapshot in and out of status.machine, validated by zod.
import { z } from "zod";
import type { MachineSnapshot } from "../../api/index.ts";
import { ERROR_CODES, type ErrorCode } from "../../errors.ts";
import { CANARY_MACHINE_VERSION, type CanaryContext, canaryMachine } from "./machine.ts";

const codes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

const CanaryContextSchema = z.object({
  podHash: z.string(),
  stepsHash: z.string(),
  startedAt: z.iso.datetime().optional(),
  stepIndex: z.int().min(0),
  stepStartedAt: z.iso.datetime(),
  userPaused: z.boolean(),
  pauseReason: z.enum(["step", "inconclusive", "backgroundInconclusive"]).optional(),
  progressAt: z.iso.datetime(),
  progressMark: z.int().min(0),
  held: z.boolean().default(false),
  deadlineExceeded: z.boolean(),
  fullPromotion: z.boolean(),
  attempt: z.int().min(0).default(0),
  backgroundRound: z.int().min(0).optional(),
  abort: z
    .object({ reason: z.enum(codes), message: z.string(), by: z.string().optional(), at: z.iso.datetime() })
    .optional(),
});

const STATES = ["Stepping", "Paused", "Promoting", "Completed", "Aborted"] as const;
export type CanaryState = (typeof STATES)[number];
export type CanarySnapshot = ReturnType<typeof canaryMachine.resolveState>;

/** The persisted form: version, state name and context, with undefined fields dropped. */
export function dehydrate(snapshot: CanarySnapshot): MachineSnapshot {
  const context = JSON.parse(JSON.stringify(snapshot.context)) as Record<string, unknown>;
  return { version: CANARY_MACHINE_VERSION, value: String(snapshot.value), context };
}

/** The snapshot from status, or undefined when absent, of another version, or malformed. */
export function hydrate(persisted: MachineSnapshot | undefined): CanarySnapshot | undefined {
  if (!persisted || persisted.version !== CANARY_MACHINE_VERSION) return undefined;
  const state = z.enum(STATES).safeParse(persisted.value);
  const context = CanaryContextSchema.safeParse(persisted.context);
  if (!state.success || !context.success) return undefined;
  return canaryMachine.resolveState({ value: state.data, context: context.data as CanaryContext });
}

export const stateOf = (snapshot: CanarySnapshot): CanaryState => String(snapshot.value) as CanaryState;
