// node:test global setup (--test-global-setup): builds the control plane if needed, starts the local
// cluster or reuses a running one, and makes sure Prometheus, Lua, Chromium and Graphite are installed. Runs once, in the
// runner.
import { spawnSync } from "node:child_process";
import { clusterDown, clusterUp } from "../../dev/cluster/control-plane.ts";
import { buildScript } from "../../dev/cluster/paths.ts";
import { ensurePrometheusInstalled } from "../../dev/prometheus.ts";
import { traefikBinary } from "../../dev/traefik.ts";
import { ensureChromiumInstalled } from "./chromium.ts";
import { ensureGraphiteInstalled } from "./graphite.ts";
import { ensureLuaInstalled } from "./lua.ts";

let startedHere = false;

export async function globalSetup(): Promise<void> {
  // Build output goes to stderr so it never mixes into the reporter's stdout.
  const build = spawnSync("bash", [buildScript], { stdio: ["ignore", 2, 2] });
  if (build.status !== 0) {
    throw new Error(
      `ramp: ${buildScript} failed (exit ${build.status ?? build.signal}); see its output above`,
    );
  }
  // Traefik (the Gateway API data plane) too: a cold build takes minutes, which no test timeout should hold.
  traefikBinary();
  const info = await clusterUp();
  startedHere = !info.reused;
  await ensurePrometheusInstalled();
  // examples/argocd/health.lua is tested with Debian's Lua interpreter.
  ensureLuaInstalled();
  // The dashboard's tests drive Debian's Chromium (scripts/browser/ensure-chromium.sh); a stat when installed.
  ensureChromiumInstalled();
  // The graphite provider's tests start Debian's graphite-web (test/support/graphite.ts); a stat when installed.
  ensureGraphiteInstalled();
}

/** Stops the cluster only if this run started it; RAMP_KEEP_CLUSTER=1 keeps it for the next run. */
export async function globalTeardown(): Promise<void> {
  if (startedHere && process.env.RAMP_KEEP_CLUSTER !== "1") await clusterDown();
}
