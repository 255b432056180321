// The dashboard server for tests: started in-process (local or cluster mode) on 127.0.0.1 with the
// browser app's assets, Clients from the local cluster's admin kubeconfig, and helpers to talk to it as a
// user (a ServiceAccount's TokenRequest token) without a browser.
import { randomBytes } from "node:crypto";
import { kubeconfigPath, kubectl } from "../../dev/kube.ts";
import type { Me } from "../../src/dashboard/contract.ts";
import { type DashboardServer, startDashboardServer } from "../../src/dashboard/server/index.ts";
import { buildAssets } from "../../src/dashboard/web/build.ts";
import { type Clients, makeClients } from "../../src/kube/client.ts";
import { loadConnection } from "../../src/kube/kubeconfig.ts";
import { silentLogger } from "../../src/observability/log.ts";
import { createMetrics } from "../../src/observability/metrics.ts";

export type { DashboardServer };

/** Clients with the local cluster's admin kubeconfig: what the server's own identity stands for here. */
export function adminClients(): Clients {
  return makeClients(
    loadConnection({ kubeconfig: kubeconfigPath() }),
    createMetrics({ defaultMetrics: false }),
  );
}

export type Dashboard = DashboardServer & { clients: Clients; localToken?: string };

/** Starts the server on 127.0.0.1 on a free port; `close()` stops it and its clients. */
export async function startDashboard(
  opts: { mode: "local" | "cluster"; namespace?: string; authHeader?: string; clients?: Clients } = {
    mode: "local",
  },
): Promise<Dashboard> {
  const clients = opts.clients ?? adminClients();
  const localToken = opts.mode === "local" ? randomBytes(24).toString("base64url") : undefined;
  const server = await startDashboardServer({
    mode: opts.mode,
    host: "127.0.0.1",
    port: 0,
    clients,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.authHeader ? { authHeader: opts.authHeader } : {}),
    log: silentLogger,
    assets: await buildAssets(),
    ...(localToken ? { localToken } : {}),
  });
  return {
    url: server.url.replace(/\/$/, ""),
    ...(localToken ? { localToken } : {}),
    clients,
    close: async () => {
      await server.close();
      await clients.close();
    },
  };
}

/** A TokenRequest token for a ServiceAccount (`kubectl create token`). */
export async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  const res = await kubectl(["create", "token", name, "-n", namespace, "--duration=1h"]);
  if (res.code !== 0) throw new Error(`kubectl create token ${namespace}/${name}: ${res.stderr}`);
  return res.stdout.trim();
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** A request to the dashboard outside any browser: status and parsed JSON (or text). */
export async function call(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { redirect: "manual", ...init });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

export async function me(base: string, headers: Record<string, string>): Promise<Me> {
  const r = await call(base, "/api/me", { headers });
  if (r.status !== 200) throw new Error(`GET /api/me answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as Me;
}
