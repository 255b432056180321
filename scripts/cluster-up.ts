// `npm run cluster:up`: builds the control-plane binaries if needed, then starts (or reuses) the local
// cluster and prints how to point kubectl at it. Running it twice is harmless.
import { spawnSync } from "node:child_process";
import { clusterUp } from "../dev/cluster/control-plane.ts";
import { buildScript, versions } from "../dev/cluster/paths.ts";

const build = spawnSync("bash", [buildScript], { stdio: "inherit" });
if (build.status !== 0) {
  console.error(`ramp: ${buildScript} failed (exit ${build.status ?? build.signal}); see its output above`);
  process.exit(1);
}

try {
  const info = await clusterUp();
  const v = versions();
  console.error(
    info.reused
      ? `ramp: local cluster already running at ${info.server}`
      : `ramp: local cluster started at ${info.server} in ${(info.elapsedMs / 1000).toFixed(1)}s`,
  );
  console.log(`kubeconfig: ${info.kubeconfig}`);
  console.log(`kubectl:    ${v.k8sBin}/kubectl`);
  console.log(`export KUBECONFIG=${info.kubeconfig}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
