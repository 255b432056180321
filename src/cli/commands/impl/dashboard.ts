// kubectl ramp dashboard: the dashboard server in local mode, on 127.0.0.1, with the user's credentials.
import { randomBytes } from "node:crypto";
import { startDashboardServer } from "../../../dashboard/server/index.ts";
import { buildAssets } from "../../../dashboard/web/build.ts";
import { makeClients } from "../../../kube/client.ts";
import { connectionOf } from "../../../kube/kubeconfig.ts";
import { createLogger } from "../../../observability/log.ts";
import { createMetrics } from "../../../observability/metrics.ts";
import type { CliContext } from "../../context.ts";
import { EXIT, UsageError } from "../../context.ts";

export async function run(ctx: CliContext): Promise<number> {
  const port = Number(ctx.string("port") ?? "3100");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: "${ctx.string("port")}" must be a port number (0: any free port)`);
  const clients = makeClients(connectionOf(ctx.kubeConfig()), createMetrics({ defaultMetrics: false }));
  const namespace = ctx.bool("all-namespaces") ? undefined : ctx.namespace();
  // The only way in: a token that works once, in the URL printed here (read by the person who ran it).
  const localToken = randomBytes(24).toString("base64url");
  const log = createLogger({ level: ctx.io.env.RAMP_LOG_LEVEL === "debug" ? "debug" : "warn" });
  const server = await startDashboardServer({
    mode: "local",
    host: "127.0.0.1",
    port,
    clients,
    ...(namespace ? { namespace } : {}),
    log,
    assets: await buildAssets(),
    localToken,
  });
  ctx.out(`ramp dashboard: ${server.url}/?token=${localToken}`);
  ctx.out(`(${namespace ? `namespace ${namespace}` : "all namespaces"}; Ctrl-C to stop)`);
  // Ctrl-C is how it ends: a clean stop, exit 0.
  await new Promise<void>((resolve) => {
    if (ctx.io.signal.aborted) resolve();
    ctx.io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.close();
  await clients.close();
  return EXIT.ok;
}
