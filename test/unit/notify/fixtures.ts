// Notifications as the hub builds them, one per event, for the renderer tests.
import { NOTIFY_EVENTS, type NotifyEventName } from "../../../src/api/index.ts";
import type { Notification } from "../../../src/notify/message.ts";

export const VERSION = "web=ghcr.io/shop/web:1.4.2, sidecar=envoy:1.30";
export const LINK = "https://grafana.example.com/d/ramp?var-rollout=web&var-ns=shop";

export function note(event: NotifyEventName, extra: Partial<Notification> = {}): Notification {
  const base: Notification = {
    id: `0b6f-uid-${NOTIFY_EVENTS.indexOf(event) + 1}`,
    event,
    at: "2026-12-07T21:14:05Z",
    rollout: { name: "web", namespace: "shop", uid: "0b6f-uid" },
    version: VERSION,
    revision: 7,
    step: { index: 2, count: 5 },
    weight: 20,
    link: LINK,
  };
  const byEvent: Partial<Record<NotifyEventName, Partial<Notification>>> = {
    paused: { command: "kubectl ramp promote web -n shop" },
    analysisInconclusive: {
      command: "kubectl ramp promote web -n shop",
      reason: "AnalysisInconclusive",
      message: "error-rate: 0.049 is between success (< 0.01) and failure (> 0.05)",
    },
    aborted: {
      by: "analysis run web-7-2",
      reason: "AnalysisFailed",
      message: "error-rate = 0.07 failed the condition result < 0.05 (3 of 3 measurements)",
    },
    progressDeadlineExceeded: {
      reason: "ProgressDeadlineExceeded",
      message: "ReplicaSet web-7 has 1/4 ready",
    },
    healthy: { durationSeconds: 252, step: { index: 5, count: 5 }, weight: 100 },
    rolledBack: { by: "alice@example.com", reason: "RolledBack", message: "kubectl ramp undo" },
  };
  return { ...base, ...byEvent[event], ...extra };
}

/** Every string a rendered body holds, however deep. */
export function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === "object") return Object.values(v).flatMap(strings);
  return [];
}
