// The notification ledger in a Rollout's status: events owed to destinations, recorded by the very status
// write that records the transition they describe (ADR 0015), removed once delivered.
import { z } from "zod";
import { NotifyEventName } from "./notifier.ts";

/** Most events owed at once per Rollout; beyond it the oldest is dropped and counted (a dead destination). */
export const MAX_PENDING = 16;

export const PendingNotification = z.object({
  seq: z.int().min(1).describe("Per Rollout, increasing; with the Rollout's uid, the message id."),
  event: NotifyEventName,
  at: z.string().describe("When the transition happened."),
  to: z
    .array(z.string().max(512))
    .max(32)
    .describe(
      "Destinations still owed this event: Notifier/NAME or ClusterNotifier/NAME, optionally #channel.",
    ),
  version: z.string().max(1024).optional().describe("The images of the version concerned."),
  revision: z.int32().optional(),
  step: z.int32().min(0).optional().describe("1-based step at the transition (0: before the first)."),
  steps: z.int32().min(0).optional(),
  weight: z.int32().min(0).optional(),
  reason: z.string().max(256).optional().describe("The stable code (aborted, rolled back, a deadline)."),
  message: z.string().max(2048).optional().describe("The full reason: metric, value, condition; who."),
  by: z.string().max(256).optional(),
  durationSeconds: z.int().min(0).optional().describe("healthy: from the version's first step to live."),
});
export type PendingNotification = z.infer<typeof PendingNotification>;

export const NotificationLedger = z
  .object({
    seq: z.int().min(0).describe("The last sequence number given to an event."),
    pending: z.array(PendingNotification).max(MAX_PENDING).optional(),
    healthy: z
      .string()
      .max(64)
      .optional()
      .describe(
        "Pod-template hash of the last version announced healthy: once per version, not per recovery.",
      ),
  })
  .describe(
    "Notifications owed (see docs/notifications.md); written with the transition, cleared on delivery.",
  );
export type NotificationLedger = z.infer<typeof NotificationLedger>;
