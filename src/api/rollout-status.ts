// What ramp records about a Rollout. Only the controller writes it, except `intent` (the plugin's).
import { z } from "zod";
import { Condition } from "./meta.ts";
import { NotificationLedger } from "./notification-ledger.ts";

export const PHASES = ["Healthy", "Progressing", "Paused", "Degraded"] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

export const INTENT_ACTIONS = ["promote", "promoteFull", "abort", "retry", "pause", "resume"] as const;

/** A person's request, written by `kubectl ramp` to the status subresource so spec never drifts from Git. */
export const UserIntent = z
  .object({
    action: z.enum(INTENT_ACTIONS),
    id: z.string().max(64).describe("Unique per request, so the controller acts on each exactly once."),
    requestedAt: z.string(),
    requestedBy: z.string().max(256).optional(),
    stepIndex: z
      .int32()
      .optional()
      .describe("For promote: the step it was issued at; ignored once the rollout has moved past it."),
    reason: z.string().max(1024).optional(),
  })
  .describe("The latest user action, consumed (cleared) by the controller when it has applied it.");
export type UserIntent = z.infer<typeof UserIntent>;

/** The persisted slice of the strategy's state machine (see persist.ts in each folder of src/strategy). */
export const MachineSnapshot = z.object({
  version: z.string().describe("The machine id and version that wrote this snapshot."),
  value: z.string().describe("The machine state, e.g. Stepping, Paused, Aborted."),
  context: z.record(z.string(), z.unknown()).meta({ "x-kubernetes-preserve-unknown-fields": true }),
});
export type MachineSnapshot = z.infer<typeof MachineSnapshot>;

export const AbortInfo = z.object({
  reason: z.string().describe("A stable error code from ramp's table (docs/errors.md)."),
  message: z.string().max(4096).describe("Who or what aborted, and why (e.g. the failing metric and value)."),
  by: z.string().max(256).optional(),
  at: z.string(),
});

export const RolloutStatus = z.object({
  observedGeneration: z.int().min(0).optional(),
  phase: Phase.optional(),
  message: z.string().max(4096).optional(),
  replicas: z
    .int32()
    .min(0)
    .optional()
    .describe(
      "Pods of all versions. Pod counts that change alone are written within 2 s, or with the status write a pause's end brings within 10 s.",
    ),
  updatedReplicas: z.int32().min(0).optional().describe("Pods of the newest version."),
  readyReplicas: z.int32().min(0).optional(),
  availableReplicas: z.int32().min(0).optional(),
  selector: z
    .string()
    .optional()
    .describe("The label selector as a string, for the scale subresource (HPA)."),
  currentPodHash: z.string().optional().describe("Pod-template hash of spec.template (the newest version)."),
  stableRS: z.string().optional().describe("Pod-template hash of the stable version."),
  stableRevision: z.int32().optional(),
  canaryRevision: z.int32().optional(),
  currentStepIndex: z.int32().min(0).optional(),
  stepCount: z.int32().min(0).optional(),
  canary: z
    .object({
      weight: z.int32().min(0).optional().describe("Traffic weight currently written for the canary."),
      stableWeight: z.int32().min(0).optional(),
      currentStepAnalysisRun: z.string().optional(),
      currentBackgroundAnalysisRun: z.string().optional(),
      stablePingPong: z
        .enum(["ping", "pong"])
        .optional()
        .describe("With pingPong: which of the pair serves as stable now."),
    })
    .optional(),
  blueGreen: z
    .object({
      activeSelector: z.string().optional(),
      previewSelector: z.string().optional(),
      prePromotionAnalysisRun: z.string().optional(),
      postPromotionAnalysisRun: z.string().optional(),
    })
    .optional(),
  pauseStartTime: z.string().optional(),
  abort: AbortInfo.optional(),
  conditions: z.array(Condition).optional(),
  machine: MachineSnapshot.optional(),
  intent: UserIntent.optional(),
  lastIntentId: z.string().optional().describe("The id of the last user intent the controller applied."),
  notifications: NotificationLedger.optional(),
  restartedAt: z
    .string()
    .optional()
    .describe("The spec.restartAt whose restart is done: every pod of the stable version is newer."),
});
export type RolloutStatus = z.infer<typeof RolloutStatus>;
