// Installs the CRDs of the controllers `kubectl ramp migrate` moves apps from (Argo Rollouts, Flagger),
// fetched from their Go modules, so the migration tests create those objects as the real apiserver
// validates and stores them.
import { APPLY, applyCrds, fetchCrds, oncePerProcess, waitEstablished } from "./crds.ts";
import { kubectl } from "./kube.ts";

/** The CRDs a migration test needs Established before it creates a source object. */
export const MIGRATION_CRDS = [
  "rollouts.argoproj.io",
  "analysistemplates.argoproj.io",
  "clusteranalysistemplates.argoproj.io",
  "analysisruns.argoproj.io",
  "experiments.argoproj.io",
  "canaries.flagger.app",
  "metrictemplates.flagger.app",
  "alertproviders.flagger.app",
];

// Records which fetched versions the cluster has, so later test files skip the re-apply.
const MARKER = ["-n", "kube-system", "configmap", "ramp-test-migration-crds"];

/** Fetches (cached) and server-side applies the source controllers' CRDs; once per process, idempotent. */
export const installMigrationCrds = oncePerProcess(async () => {
  const { dirs, files } = fetchCrds("migration-crds.sh");
  const marker = await kubectl(["get", ...MARKER, "-o", "jsonpath={.data.dirs}"]);
  if (marker.code === 0 && marker.stdout === dirs.join(",")) {
    await waitEstablished(MIGRATION_CRDS, "migration source CRDs");
    return;
  }
  await applyCrds(files, MIGRATION_CRDS, "migration source CRDs");
  const cm = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: MARKER[3], namespace: "kube-system" },
    data: { dirs: dirs.join(",") },
  };
  const saved = await kubectl([...APPLY, "-f", "-"], { input: JSON.stringify(cm) });
  if (saved.code !== 0) throw new Error(`recording the migration source CRDs: ${saved.stderr}`);
});
