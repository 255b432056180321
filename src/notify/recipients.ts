// Who is owed an event: Notifiers whose selector matches the Rollout, and subscriptions by annotation.
import { DEFAULT_EVENTS, NOTIFY_EVENTS, type NotifierSpec, type NotifyEventName } from "../api/index.ts";
import { selectorMatches } from "../kube/selector.ts";

/** `notifications.ramp.dev/subscribe.<event>.<notifier>: "<recipient>"` on a Rollout. */
export const SUBSCRIBE_PREFIX = "notifications.ramp.dev/subscribe.";

export type NotifierKind = "Notifier" | "ClusterNotifier";
/** A Notifier or ClusterNotifier as recipients reads it (its Secret references do not matter here). */
export type NotifierView = {
  kind: NotifierKind;
  name: string;
  spec: Pick<NotifierSpec, "selector" | "events">;
};

/** A recipient as the ledger writes it: `Kind/name`, and `#channel` when a subscription names one. */
export const recipientOf = (kind: NotifierKind, name: string, channel?: string): string =>
  `${kind}/${name}${channel ? `#${channel}` : ""}`;

/** The parts of a recipient string. */
export function parseRecipient(
  to: string,
): { kind: NotifierKind; name: string; channel?: string } | undefined {
  const m = /^(Notifier|ClusterNotifier)\/([^#]+)(?:#(.+))?$/.exec(to);
  if (!m?.[1] || !m[2]) return undefined;
  return { kind: m[1] as NotifierKind, name: m[2], ...(m[3] ? { channel: m[3] } : {}) };
}

export type Subscription = { event: NotifyEventName; notifier: string; channel: string };

/** The Rollout's subscription annotations; malformed ones are returned apart, to be reported. */
export function subscriptions(annotations: Record<string, string> | undefined): {
  subscriptions: Subscription[];
  malformed: string[];
} {
  const out: Subscription[] = [];
  const malformed: string[] = [];
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (!key.startsWith(SUBSCRIBE_PREFIX)) continue;
    const rest = key.slice(SUBSCRIBE_PREFIX.length);
    const dot = rest.indexOf(".");
    const event = rest.slice(0, dot) as NotifyEventName;
    const notifier = rest.slice(dot + 1);
    // A channel longer than Slack allows (80) could not be written to the ledger (its recipients are bounded).
    if (dot < 0 || !NOTIFY_EVENTS.includes(event) || notifier === "" || value.trim().length > 80)
      malformed.push(key);
    else out.push({ event, notifier, channel: value.trim() });
  }
  return { subscriptions: out, malformed };
}

/**
 * Recipients of `event` for a Rollout with these labels and annotations. `notifiers`: the Notifiers of its
 * namespace and every ClusterNotifier. A subscription names a Notifier of the namespace first, else a
 * ClusterNotifier of that name; it is sent whatever the Notifier's own `events` say.
 */
export function recipients(
  meta: { labels?: Record<string, string> | undefined; annotations?: Record<string, string> | undefined },
  event: NotifyEventName,
  notifiers: readonly NotifierView[],
): string[] {
  const byKey = new Map<string, string>();
  for (const n of notifiers) {
    const events = n.spec.events ?? DEFAULT_EVENTS;
    if (n.spec.selector && events.includes(event) && selectorMatches(n.spec.selector, meta.labels))
      byKey.set(`${n.kind}/${n.name}`, recipientOf(n.kind, n.name));
  }
  for (const s of subscriptions(meta.annotations).subscriptions) {
    if (s.event !== event) continue;
    const n =
      notifiers.find((x) => x.kind === "Notifier" && x.name === s.notifier) ??
      notifiers.find((x) => x.kind === "ClusterNotifier" && x.name === s.notifier);
    if (n) byKey.set(`${n.kind}/${n.name}`, recipientOf(n.kind, n.name, s.channel));
  }
  // The ledger keeps at most MAX_RECIPIENTS per event (the CRD's bound): more could never be written.
  return [...byKey.values()].sort().slice(0, MAX_RECIPIENTS);
}

/** Destinations one event goes to at most (status.notifications.pending[].to). */
export const MAX_RECIPIENTS = 32;
