// `npm run cluster:down`: stops every process of the local cluster by PID and removes .ramp/local/.
import { clusterDown } from "../dev/cluster/control-plane.ts";
import { localPaths } from "../dev/cluster/paths.ts";

try {
  const stopped = await clusterDown();
  console.error(
    stopped ? "ramp: local cluster stopped" : `ramp: no local cluster (${localPaths().stateDir} absent)`,
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
