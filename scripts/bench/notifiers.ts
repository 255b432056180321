// --notifiers: Notifiers on the bench's Rollouts, the loopback receivers their webhooks post to (one that
// accepts, or three that misbehave), and the controller's notification counters. A receiver of its own:
// scripts never import test support, and a bench needs only a status code, a delay and a count.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { freePort } from "../../dev/cluster/health.ts";
import type { Scrape } from "../../dev/scrape.ts";
import type { Clients } from "../../src/kube/client.ts";
import { ROLLOUTS } from "./workload.ts";

export const NOTIFIER_MODES = ["off", "on", "failing"] as const;
export type NotifierMode = (typeof NOTIFIER_MODES)[number];

/** The controller's --notify-give-up-seconds with failing destinations. */
export const FAILING_GIVE_UP_SECONDS = 60;
const HANG_MS = 30_000;

type Destination = { name: string; behaviour: string; url: string };

export type BenchNotifiers = {
  destinations: Destination[];
  /** Controller flags the mode needs. */
  controllerArgs: string[];
  /** Requests each receiver got, by Notifier name (the closed port: none can arrive). */
  requests(): Record<string, number>;
  close(): Promise<void>;
};

/** Starts the receivers of `mode` and creates one Notifier per destination, selecting every bench Rollout. */
export async function startNotifiers(
  clients: Clients,
  namespace: string,
  mode: Exclude<NotifierMode, "off">,
): Promise<BenchNotifiers> {
  const counts: Record<string, number> = {};
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  // The path names the Notifier; its behaviour is fixed for the whole run.
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      const name = (req.url ?? "/").slice(1);
      counts[name] = (counts[name] ?? 0) + 1;
      if (name === "limited") {
        res.writeHead(429, { "Retry-After": "5" }).end();
      } else if (name === "slow") {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) res.writeHead(202).end();
        }, HANG_MS);
        timers.add(timer);
      } else {
        res.writeHead(202).end();
      }
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  // A port the kernel just handed out and took back: nothing listens there, connections are refused.
  const closed = `http://127.0.0.1:${await freePort()}/down`;
  const destinations: Destination[] =
    mode === "on"
      ? [{ name: "fine", behaviour: "202 to every request", url: `${base}/fine` }]
      : [
          { name: "limited", behaviour: "429 with Retry-After: 5 to every request", url: `${base}/limited` },
          { name: "slow", behaviour: `answers after ${HANG_MS / 1000} s`, url: `${base}/slow` },
          { name: "down", behaviour: "a closed port", url: closed },
        ];
  for (const d of destinations)
    await clients.request("POST", `${ROLLOUTS}/namespaces/${namespace}/notifiers`, {
      apiVersion: "ramp.dev/v1alpha1",
      kind: "Notifier",
      metadata: { name: d.name },
      // No events: the default, every event but stepStarted.
      spec: { selector: { matchLabels: { "ramp.dev/bench": "true" } }, webhook: { url: d.url } },
    });
  return {
    destinations,
    controllerArgs: mode === "failing" ? ["--notify-give-up-seconds", String(FAILING_GIVE_UP_SECONDS)] : [],
    requests: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Messages delivered, and failed attempts and lost messages by reason, so far. */
export type NotifyCounts = { sent: number; failed: Record<string, number> };

export function notifyCounts(scraped: Scrape): NotifyCounts {
  const sent = scraped.find("ramp_notifications_sent_total").reduce((n, s) => n + s.value, 0);
  const failed: Record<string, number> = {};
  for (const s of scraped.find("ramp_notifications_failed_total")) {
    const reason = s.labels.reason ?? "";
    failed[reason] = (failed[reason] ?? 0) + s.value;
  }
  return { sent, failed };
}

export function diffNotify(after: NotifyCounts, before: NotifyCounts): NotifyCounts {
  const failed: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.failed)) {
    const d = v - (before.failed[k] ?? 0);
    if (d > 0) failed[k] = d;
  }
  return { sent: after.sent - before.sent, failed };
}

/** Messages waiting in the controller's lanes (the ones in flight not counted). */
export const queued = (scraped: Scrape): number =>
  scraped.find("ramp_notifications_queue_depth").reduce((n, s) => n + s.value, 0);

/** Waits until nothing is owed or `capMs` passed; returns the seconds waited. */
export async function settle(owed: () => number, capMs: number): Promise<number> {
  const from = Date.now();
  while (owed() > 0 && Date.now() - from < capMs) await new Promise((r) => setTimeout(r, 500));
  return Math.round((Date.now() - from) / 100) / 10;
}
