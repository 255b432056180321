// Notifications inside the controller: the hub over the caches, Secrets and Events, and its delivery lanes.
import type { Logger } from "pino";
import { resolveAll } from "../analysis/providers/resolve.ts";
import type { WebPolicy } from "../analysis/providers/web-policy.ts";
import { ClusterNotifier, Notifier } from "../api/index.ts";
import type { EventSink } from "../core/ports.ts";
import { Deliveries } from "../notify/deliver/index.ts";
import { type NotifyMetrics, notifyMetrics } from "../notify/deliver/metrics.ts";
import { NotificationHub } from "../notify/hub.ts";
import type { NotifierKind, NotifierView } from "../notify/recipients.ts";
import type { NotifierSpecAny } from "../notify/request.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { ControllerCaches } from "./caches.ts";

type Parsed = NotifierView & { spec: NotifierSpecAny };

/** A cached Notifier or ClusterNotifier, parsed; one that does not parse is skipped (its status says why). */
function parsed(kind: NotifierKind, o: unknown): Parsed | undefined {
  const r = (kind === "Notifier" ? Notifier : ClusterNotifier).safeParse(o);
  return r.success ? { kind, name: r.data.metadata.name, spec: r.data.spec } : undefined;
}

export type ControllerNotifications = {
  hub: NotificationHub;
  metrics: NotifyMetrics;
  stop(): Promise<void>;
};

export function controllerNotifications(opts: {
  caches: ControllerCaches;
  metrics: Metrics;
  log: Logger;
  policy: WebPolicy;
  events: EventSink;
  requeue: (key: string) => void;
  /** Secret reads, shared with the Notifier status controller (one cache of each Secret). */
  secret: (namespace: string, name: string, key: string) => Promise<string>;
  giveUpAfterMs: number;
  links: { dashboard?: string | undefined; grafana?: string | undefined };
}): ControllerNotifications {
  const { caches, log } = opts;
  const metrics = notifyMetrics(opts.metrics.registry);
  const deliveries = new Deliveries({
    guard: {
      policy: opts.policy,
      resolve: resolveAll,
      subject: (url, hop) => `notification to ${url.origin}${hop > 0 ? ` (redirect ${hop})` : ""}`,
    },
    metrics,
    log: log.child({ component: "notifications" }),
    giveUpAfterMs: opts.giveUpAfterMs,
  });
  const hub = new NotificationHub({
    deliveries,
    links: opts.links,
    log,
    ports: {
      notifiers: (namespace) => [
        ...caches.notifiers.byIndex("namespace", namespace).flatMap((o) => parsed("Notifier", o) ?? []),
        ...caches.clusterNotifiers.list().flatMap((o) => parsed("ClusterNotifier", o) ?? []),
      ],
      notifier: (kind, namespace, name) =>
        kind === "Notifier"
          ? parsed(kind, caches.notifiers.get(`${namespace}/${name}`))
          : parsed(kind, caches.clusterNotifiers.get(name)),
      async secret(namespace, name, key) {
        try {
          return await opts.secret(namespace, name, key);
        } catch (err) {
          throw Object.assign(new Error((err as Error).message), { reason: "secret" });
        }
      },
      requeue: opts.requeue,
      warn: (t, reason, message) => opts.events.record(t, { type: "Warning", reason, message }),
      overflow: (destination) => metrics.failed.inc({ destination, reason: "overflow" }),
    },
  });
  return { hub, metrics, stop: () => deliveries.stop() };
}
