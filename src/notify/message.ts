// The message model every destination renders: one event about one Rollout, with everything a person needs.
import type { NotifyEventName } from "../api/index.ts";

export type Notification = {
  /** Unique per Rollout and event: `<rollout uid>-<seq>`; the CloudEvent id, so receivers can de-duplicate. */
  id: string;
  event: NotifyEventName;
  /** RFC 3339 time of the transition. */
  at: string;
  rollout: { name: string; namespace: string; uid: string };
  /** The images of the version concerned, `name=image` joined by ", ". */
  version?: string | undefined;
  revision?: number | undefined;
  /** 1-based step and the step count, when the strategy has steps. */
  step?: { index: number; count: number } | undefined;
  /** Canary traffic weight at the transition (percent). */
  weight?: number | undefined;
  /** A stable code: the abort reason, ProgressDeadlineExceeded, … */
  reason?: string | undefined;
  /** The full reason: metric, value and condition for an analysis abort; who for a person's. */
  message?: string | undefined;
  by?: string | undefined;
  /** healthy: seconds from the version's first step until it was live. */
  durationSeconds?: number | undefined;
  /** The exact command that moves it on (paused, analysisInconclusive): `kubectl ramp promote NAME -n NS`. */
  command?: string | undefined;
  /** A dashboard or Grafana page for this Rollout, when a base URL is configured. */
  link?: string | undefined;
};

/** A Notifier's override for one event (spec.templates[event]). */
export type Template = { title?: string | undefined; text?: string | undefined };

/** An HTTP request body and its content type, ready to send. */
export type Rendered = { contentType: string; body: string; headers?: Record<string, string> };
