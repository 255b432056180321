// Connects the ledger every status write carries to the delivery lanes: owed entries are queued, and a
// delivery (or a give-up) becomes a receipt that the Rollout's next status write removes from the ledger.
// Nothing here is awaited by a reconcile but the pure ledger arithmetic.
import {
  NOTIFY_EVENTS,
  type NotificationLedger,
  type PendingNotification,
  type Rollout,
  type RolloutStatus,
} from "../api/index.ts";
import { type Logger, silentLogger } from "../observability/log.ts";
import type { Deliveries, HttpRequest, Job, Outcome } from "./deliver/index.ts";
import { transitions } from "./derive.ts";
import { nextLedger, receiptKey } from "./ledger.ts";
import type { Notification } from "./message.ts";
import {
  type NotifierKind,
  type NotifierView,
  parseRecipient,
  recipients,
  SUBSCRIBE_PREFIX,
  subscriptions,
} from "./recipients.ts";
import { type NotifierSpecAny, requestFor } from "./request.ts";

/** The Rollout a ledger belongs to, as Events name it. */
export type LedgerTarget = { apiVersion: string; kind: string; name: string; namespace: string; uid: string };

/** Where the hub reads Notifiers and Secrets, and how it asks for the write that records a receipt. */
export type HubPorts = {
  /** The Notifiers of a namespace and every ClusterNotifier. */
  notifiers(namespace: string): (NotifierView & { spec: NotifierSpecAny })[];
  /** A Notifier (namespace given) or ClusterNotifier by name. */
  notifier(kind: NotifierKind, namespace: string, name: string): { spec: NotifierSpecAny } | undefined;
  /** A Secret's key, decoded; throws an Error with `reason: "secret"` when it cannot be read. */
  secret(namespace: string, name: string, key: string): Promise<string>;
  /** Reconcile this Rollout soon (not urgent): its next status write carries the receipts. */
  requeue(key: string): void;
  /** A Warning Event on the Rollout (a message given up). */
  warn(target: LedgerTarget, reason: string, message: string): void;
  /** Counted when the ledger's bound pushes an owed message out. */
  overflow(destination: string): void;
};

export type HubOptions = {
  deliveries: Pick<Deliveries, "enqueue" | "has">;
  ports: HubPorts;
  /** Base URLs for the link in every message (the dashboard first, else Grafana). */
  links?: { dashboard?: string | undefined; grafana?: string | undefined };
  /** How long a destination waits for a receipt to be written before sending its next message. */
  receiptWaitMs?: number;
  log?: Logger;
};

/** The metrics label and lane of a recipient: `Notifier/<namespace>/<name>` or `ClusterNotifier/<name>`. */
export function destinationOf(namespace: string, to: string): string {
  const r = parseRecipient(to);
  if (!r) return to;
  return r.kind === "ClusterNotifier" ? `ClusterNotifier/${r.name}` : `Notifier/${namespace}/${r.name}`;
}

export class NotificationHub {
  readonly #o: HubOptions;
  readonly #log: Logger;
  /** Per Rollout key, receipts (`seq|to`) not yet written away from its ledger. */
  readonly #done = new Map<string, Set<string>>();
  /** Per `key seq|to`, the destination lane waiting for that receipt to be written. */
  readonly #waiting = new Map<string, () => void>();
  /** Per Rollout key, what is wrong with its subscription annotations ("" none), and what was last told. */
  readonly #problem = new Map<string, string>();
  readonly #told = new Map<string, string>();

  constructor(opts: HubOptions) {
    this.#o = opts;
    this.#log = opts.log ?? silentLogger;
  }

  ledger(
    key: string,
    rollout: Rollout | undefined,
    before: RolloutStatus | undefined,
    after: RolloutStatus,
    now: number,
  ): NotificationLedger | undefined {
    const found = rollout ? transitions(rollout, before, after, now) : [];
    const meta = rollout?.metadata ?? {};
    // Kept only while there is something to tell, so ten thousand quiet Rollouts cost no entries.
    const problem = rollout ? this.#subscriptionProblem(rollout) : "";
    if (problem || this.#told.has(key)) this.#problem.set(key, problem);
    const notifiers = found.length > 0 ? this.#o.ports.notifiers(rollout?.metadata.namespace ?? "") : [];
    const owed = found.map((t) => ({ ...t, to: recipients(meta, t.event, notifiers) }));
    const done = this.#done.get(key) ?? new Set<string>();
    const { ledger, overflow } = nextLedger(before?.notifications, done, owed, after.stableRS);
    for (const e of overflow) {
      this.#log.warn({ key, seq: e.seq, event: e.event, to: e.to }, "notification dropped: ledger full");
      for (const to of e.to) this.#o.ports.overflow(destinationOf(rollout?.metadata.namespace ?? "", to));
    }
    return ledger;
  }

  persisted(key: string, target: LedgerTarget, ledger: NotificationLedger | undefined): void {
    // A subscription that reaches nobody is told once, as a Warning Event, until it changes.
    const problem = this.#problem.get(key) ?? "";
    if (problem !== (this.#told.get(key) ?? "")) {
      if (problem) this.#o.ports.warn(target, "NotificationSubscriptionInvalid", problem);
      this.#told.set(key, problem);
    }
    if (!problem) {
      this.#told.delete(key);
      this.#problem.delete(key);
    }
    const owed = new Set((ledger?.pending ?? []).flatMap((e) => e.to.map((t) => receiptKey(e.seq, t))));
    const done = this.#done.get(key);
    for (const r of done ?? []) {
      if (owed.has(r)) continue;
      done?.delete(r);
      this.#waiting.get(`${key} ${r}`)?.();
    }
    if (done?.size === 0) this.#done.delete(key);
    for (const e of ledger?.pending ?? [])
      for (const to of e.to) if (!done?.has(receiptKey(e.seq, to))) this.#offer(key, target, e, to);
  }

  /** A deleted Rollout: its receipts and waiters go (its ledger went with it). */
  forget(key: string): void {
    for (const r of this.#done.get(key) ?? []) this.#waiting.get(`${key} ${r}`)?.();
    this.#done.delete(key);
    this.#problem.delete(key);
    this.#told.delete(key);
  }

  /** Malformed subscription annotations, and ones naming no Notifier or ClusterNotifier ("" when fine). */
  #subscriptionProblem(rollout: Rollout): string {
    const { subscriptions: subs, malformed } = subscriptions(rollout.metadata.annotations);
    if (subs.length === 0 && malformed.length === 0) return "";
    const namespace = rollout.metadata.namespace ?? "";
    const known = new Set(this.#o.ports.notifiers(namespace).map((n) => n.name));
    const problems = [
      ...malformed.map(
        (k) =>
          `annotation ${k}: want ${SUBSCRIBE_PREFIX}<event>.<notifier> with an event of ${NOTIFY_EVENTS.join(", ")}, and a channel of at most 80 characters`,
      ),
      ...subs
        .filter((x) => !known.has(x.notifier))
        .map(
          (x) =>
            `annotation ${SUBSCRIBE_PREFIX}${x.event}.${x.notifier}: no Notifier "${x.notifier}" in namespace ${namespace} and no ClusterNotifier of that name; create it or correct the name`,
        ),
    ];
    return problems.join("; ").slice(0, 1000);
  }

  #offer(key: string, target: LedgerTarget, e: PendingNotification, to: string): void {
    const id = `${target.uid}/${e.seq}/${to}`;
    if (this.#o.deliveries.has(id)) return;
    const n = this.#message(target, e);
    const job: Job = {
      id,
      destination: destinationOf(target.namespace, to),
      event: e.event,
      prepare: () => this.#request(target, n, to),
    };
    this.#o.deliveries.enqueue(job, (outcome) => this.#receipt(key, target, e, to, outcome));
  }

  /** Records the outcome, asks for the write, and holds the lane until that write is made (or a while). */
  #receipt(key: string, target: LedgerTarget, e: PendingNotification, to: string, o: Outcome): Promise<void> {
    const r = receiptKey(e.seq, to);
    const done = this.#done.get(key) ?? new Set<string>();
    this.#done.set(key, done);
    done.add(r);
    if (!o.ok) {
      const message = `the ${e.event} notification to ${to} was given up (${o.reason}): ${o.message}`;
      this.#o.ports.warn(target, "NotificationFailed", message.slice(0, 1000));
    }
    const wait = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#o.receiptWaitMs ?? 10_000);
      this.#waiting.set(`${key} ${r}`, () => {
        clearTimeout(timer);
        this.#waiting.delete(`${key} ${r}`);
        resolve();
      });
    });
    this.#o.ports.requeue(key);
    return wait;
  }

  #message(target: LedgerTarget, e: PendingNotification): Notification {
    const { name, namespace, uid } = target;
    const waits = e.event === "paused" || e.event === "analysisInconclusive";
    const { dashboard, grafana } = this.#o.links ?? {};
    const q = (s: string) => encodeURIComponent(s);
    const link = dashboard
      ? `${dashboard.replace(/\/$/, "")}/rollouts/${q(namespace)}/${q(name)}`
      : grafana
        ? `${grafana.replace(/\/$/, "")}/d/ramp-rollouts/ramp?var-namespace=${q(namespace)}&var-rollout=${q(name)}`
        : undefined;
    return {
      id: `${uid}-${e.seq}`,
      event: e.event,
      at: e.at,
      rollout: { name, namespace, uid },
      version: e.version,
      revision: e.revision,
      step: e.step !== undefined && e.steps ? { index: e.step, count: e.steps } : undefined,
      weight: e.weight,
      reason: e.reason,
      message: e.message,
      by: e.by,
      durationSeconds: e.durationSeconds,
      command: waits ? `kubectl ramp promote ${name} -n ${namespace}` : undefined,
      link,
    };
  }

  async #request(target: LedgerTarget, n: Notification, to: string): Promise<HttpRequest> {
    const r = parseRecipient(to);
    const notifier = r && this.#o.ports.notifier(r.kind, target.namespace, r.name);
    if (!r || !notifier)
      throw Object.assign(new Error(`${to} no longer exists`), { reason: "notifier_gone" });
    const secretNamespace = r.kind === "Notifier" ? target.namespace : undefined;
    return requestFor(notifier.spec, n, {
      channel: r.channel,
      secret: (ref) => this.#o.ports.secret(ref.namespace ?? secretNamespace ?? "", ref.name, ref.key),
    });
  }
}
