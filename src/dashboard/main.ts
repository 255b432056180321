#!/usr/bin/env node
// ramp-dashboard: the dashboard in a cluster, for a team. Every request carries a Kubernetes token that
// a TokenReview checks and every read and action is a SubjectAccessReview for that user (ADR 0016).
import { parseArgs } from "node:util";
import { makeClients } from "../kube/client.ts";
import { loadConnection } from "../kube/kubeconfig.ts";
import { createLogger } from "../observability/log.ts";
import { createMetrics } from "../observability/metrics.ts";
import { startDashboardServer } from "./server/index.ts";
import { buildAssets } from "./web/build.ts";

const USAGE = `Usage: ramp-dashboard [options]

  --listen ADDR         serve on ADDR (default 0.0.0.0:8080); put TLS in front (an Ingress or a Gateway)
  --namespace NS        show only this namespace's Rollouts (default: every namespace)
  --auth-header NAME    also take the bearer token from this header, as an auth proxy sets it
                        (e.g. X-Forwarded-Access-Token from oauth2-proxy)
  --kubeconfig PATH     kubeconfig (default: in-cluster service account)
  --log-level LEVEL     trace, debug, info, warn, error (default info)
  -h, --help            this help
`;

const { values } = parseArgs({
  options: {
    listen: { type: "string", default: "0.0.0.0:8080" },
    namespace: { type: "string" },
    "auth-header": { type: "string" },
    kubeconfig: { type: "string" },
    "log-level": { type: "string", default: "info" },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const listen = /^(.*):(\d+)$/.exec(values.listen);
if (!listen?.[2]) {
  process.stderr.write(`ramp-dashboard: --listen "${values.listen}" must be HOST:PORT\n\n${USAGE}`);
  process.exit(2);
}
const log = createLogger({ level: values["log-level"] as "info" });
const clients = makeClients(loadConnection({ kubeconfig: values.kubeconfig }), createMetrics());
const server = await startDashboardServer({
  mode: "cluster",
  host: listen[1] || "0.0.0.0",
  port: Number(listen[2]),
  clients,
  ...(values.namespace ? { namespace: values.namespace } : {}),
  ...(values["auth-header"] ? { authHeader: values["auth-header"] } : {}),
  log,
  assets: await buildAssets(),
});
log.info({ url: server.url }, "dashboard serving");
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.on(signal, () => {
    void server.close().then(() => process.exit(0));
  });
