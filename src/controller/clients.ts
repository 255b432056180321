// The controller's API clients: one for everything, under --kube-api-qps/--kube-api-burst, and, with
// leader election, one for the Lease outside that limit, so renewals never queue behind a burst of
// reconciles and a busy leader does not lose its Lease to its own rate limit.
import { type Clients, makeClients } from "../kube/client.ts";
import type { Connection } from "../kube/kubeconfig.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { ControllerOptions } from "./options.ts";

export type ControllerClients = { clients: Clients; leaseClients: Clients | undefined };

export function controllerClients(
  conn: Connection,
  metrics: Metrics,
  opts: Pick<ControllerOptions, "identity" | "kubeApiQps" | "kubeApiBurst" | "leaderElect">,
): ControllerClients {
  return {
    clients: makeClients(conn, metrics, {
      identity: opts.identity,
      rateLimit: { qps: opts.kubeApiQps, burst: opts.kubeApiBurst },
    }),
    leaseClients: opts.leaderElect ? makeClients(conn, metrics, { identity: opts.identity }) : undefined,
  };
}
