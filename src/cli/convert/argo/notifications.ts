// Argo's notification subscriptions (notifications.argoproj.io/subscribe.<trigger>.<service>: a;b) as
// ramp's (notifications.ramp.dev/subscribe.<event>.<notifier>: recipient), by the table in
// docs/migrating.md. What has no ramp equivalent is dropped with the reason.
import { NOTIFY_EVENTS } from "../../../api/notifier.ts";
import { SUBSCRIBE_PREFIX } from "../../../notify/recipients.ts";
import type { Edit } from "../edit.ts";
import type { Path } from "../source.ts";

export const ARGO_SUBSCRIBE = "notifications.argoproj.io/subscribe.";
/** ramp's own annotation prefix and events: the converter writes what the controller reads. */
export const RAMP_SUBSCRIBE = SUBSCRIBE_PREFIX;
export const RAMP_EVENTS = NOTIFY_EVENTS;
export type RampEvent = (typeof RAMP_EVENTS)[number];

/** Argo's built-in triggers (manifests/notifications): the ramp event, or why there is none. */
export const ARGO_TRIGGERS: Record<string, { event: RampEvent } | { none: string }> = {
  "on-rollout-completed": { event: "healthy" },
  "on-rollout-aborted": { event: "aborted" },
  "on-rollout-paused": { event: "paused" },
  "on-rollout-step-completed": { event: "stepStarted" },
  "on-rollout-updated": { event: "stepStarted" },
  "on-analysis-run-failed": { event: "aborted" },
  "on-analysis-run-error": { event: "aborted" },
  "on-analysis-run-running": {
    none: "ramp sends no message when an analysis starts (the AnalysisRun's Events and status show it)",
  },
  "on-scaling-replica-set": {
    none: "ramp sends no message when a ReplicaSet scales (subscribe to stepStarted for each step)",
  },
};

/** The name segment of an annotation key is at most 63 characters (Kubernetes qualified names). */
const MAX_NAME = 63;

/** Argo's service name as a Notifier's name: `webhook.github` → `webhook-github`. */
export function notifierName(service: string): string {
  return service
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** `trigger` and `service` of a subscribe key (a service may hold dots, a trigger does not). */
function parseKey(key: string): { trigger: string; service: string } | undefined {
  const rest = key.slice(ARGO_SUBSCRIBE.length);
  const dot = rest.indexOf(".");
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  return { trigger: rest.slice(0, dot), service: rest.slice(dot + 1) };
}

/** Argo's `;`-separated recipients, blanks removed. */
export function recipients(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return value
    .split(";")
    .map((r) => r.trim())
    .filter((r) => r !== "");
}

/**
 * Rewrites each Argo subscribe annotation of the Rollout into ramp's where it stands (its comments and
 * place kept); two that become the same ramp key leave one. Other notifications.argoproj.io/
 * annotations are left for convertMetadata to drop.
 */
export function convertNotifications(edit: Edit): void {
  const at: Path = ["metadata", "annotations"];
  // The recipient of each ramp key written so far (one written by hand counts too).
  const written = new Map(
    edit
      .keys(at)
      .filter((k) => k.startsWith(RAMP_SUBSCRIBE))
      .map((k) => [k, String(edit.value([...at, k]) ?? "")]),
  );
  for (const key of edit.keys(at)) {
    if (!key.startsWith(ARGO_SUBSCRIBE)) continue;
    const path = [...at, key];
    const parsed = parseKey(key);
    if (!parsed) {
      edit.drop(path, "Argo subscription without a trigger and a service: nothing to subscribe");
      continue;
    }
    const mapping = ARGO_TRIGGERS[parsed.trigger];
    if (!mapping) {
      edit.drop(
        path,
        `Argo trigger "${parsed.trigger}" is not one of Argo's built-in ones: ramp's events are ` +
          `${RAMP_EVENTS.join(", ")}; subscribe with ${RAMP_SUBSCRIBE}<event>.<notifier>`,
      );
      continue;
    }
    if ("none" in mapping) {
      edit.drop(path, `Argo trigger "${parsed.trigger}" has no ramp event: ${mapping.none}`);
      continue;
    }
    const notifier = notifierName(parsed.service);
    const rampKey = `${RAMP_SUBSCRIBE}${mapping.event}.${notifier}`;
    if (notifier === "" || rampKey.length - rampKey.indexOf("/") - 1 > MAX_NAME) {
      edit.drop(
        path,
        `service "${parsed.service}" gives no usable Notifier name: the key after "notifications.ramp.dev/" ` +
          `holds at most ${MAX_NAME} characters; name a shorter Notifier in ${RAMP_SUBSCRIBE}<event>.<notifier>`,
      );
      continue;
    }
    const [first = "", ...rest] = recipients(edit.value(path));
    if (rest.length > 0)
      edit.report(
        path,
        `recipients ${rest.join(", ")} not carried: ramp's annotation names one recipient (${first} kept); ` +
          "subscribe each other channel with a Notifier of its own",
      );
    const kept = written.get(rampKey);
    if (kept !== undefined) {
      if (kept === first)
        edit.note(path, `merged into ${rampKey}: another subscription maps to the same event and notifier`);
      else
        edit.report(
          path,
          `recipient "${first}" not carried: ${rampKey} already names "${kept}" (one recipient per ` +
            "event and notifier); subscribe it with a Notifier of its own",
        );
      edit.remove(path);
      continue;
    }
    written.set(rampKey, first);
    edit.rename(at, key, rampKey, first);
    const to = first === "" ? " with no recipient" : `: "${first}"`;
    edit.note(
      path,
      `becomes ${rampKey}${to} (Argo's ${parsed.trigger}); create a Notifier or ClusterNotifier named ${notifier}`,
    );
  }
}
