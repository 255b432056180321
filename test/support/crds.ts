// Installs ramp's CRDs into the local cluster and waits until the apiserver serves them.
import { join } from "node:path";
import { CRDS } from "../../src/crd/definitions.ts";
import { kubectl } from "./kube.ts";
import { repoRoot } from "./yaml.ts";

/** Server-side applies crds/ (idempotent) and waits for every CRD to be Established. */
export async function installCrds(): Promise<void> {
  const applied = await kubectl([
    "apply",
    "--server-side",
    "--force-conflicts",
    "-f",
    join(repoRoot, "crds"),
  ]);
  if (applied.code !== 0) throw new Error(`installing CRDs failed: ${applied.stderr}`);
  const names = CRDS.map((d) => `crd/${d.plural}.ramp.dev`);
  const ready = await kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...names]);
  if (ready.code !== 0) throw new Error(`CRDs not Established: ${ready.stderr}`);
}
