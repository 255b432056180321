// The notification series. Registered on the controller's registry by its caller (never prom-client's
// global one), so two controllers in one process or two tests never share series.
import { Counter, Gauge, type Registry } from "prom-client";

/**
 * Why an attempt or a message failed: a fixed set, so the label stays small.
 * Attempts retried until give-up: status_5xx, rate_limited (429), timeout (no answer in time, or 408),
 * network (refused, reset, DNS), prepare (building the request threw; or the caller's own err.reason).
 * Final at once: rejected (any other non-2xx, too many redirects, or `check` refusing a 2xx), denied (the
 * address policy). Per message: gave_up (retried past giveUpAfterMs), queue_full (never queued).
 */
export const FAILURE_REASONS = [
  "status_5xx",
  "rate_limited",
  "timeout",
  "network",
  "prepare",
  "rejected",
  "denied",
  "gave_up",
  "queue_full",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** The reasons that mean a message was lost (no more attempts), as the alert reads them. */
export const LOST_REASONS: readonly FailureReason[] = ["rejected", "denied", "gave_up", "queue_full"];

export interface NotifyMetrics {
  /** Messages delivered (a 2xx its `check` accepted), by destination and event. */
  readonly sent: Counter<"destination" | "event">;
  /** Failed attempts, and lost messages (gave_up, queue_full), by destination and reason. */
  readonly failed: Counter<"destination" | "reason">;
  /** Messages waiting in a destination's lane (the one being sent is not counted). */
  readonly queueDepth: Gauge<"destination">;
}

/** Registers the notification series on `registry` (call once per registry). */
export function notifyMetrics(registry: Registry): NotifyMetrics {
  const registers = [registry];
  return {
    sent: new Counter({
      name: "ramp_notifications_sent_total",
      help: "Notifications delivered, by destination (Notifier/namespace/name or ClusterNotifier/name) and event.",
      labelNames: ["destination", "event"] as const,
      registers,
    }),
    failed: new Counter({
      name: "ramp_notifications_failed_total",
      help: "Failed notification attempts, and messages lost (gave_up, queue_full), by destination and reason.",
      labelNames: ["destination", "reason"] as const,
      registers,
    }),
    queueDepth: new Gauge({
      name: "ramp_notifications_queue_depth",
      help: "Notifications waiting to be sent, by destination (the one being sent is not counted).",
      labelNames: ["destination"] as const,
      registers,
    }),
  };
}
