// Installs the CRDs of the controllers `kubectl ramp migrate` moves apps from (Argo Rollouts, Flagger),
// fetched from their Go modules, so the migration tests create those objects as the real apiserver
// validates and stores them.
import { markedCrdSet } from "./crds.ts";

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

/** Fetches (cached) and server-side applies them; once per process, idempotent across runs. */
export const installMigrationCrds = markedCrdSet({
  script: "migration-crds.sh",
  marker: "ramp-test-migration-crds",
  names: MIGRATION_CRDS,
  what: "migration source CRDs",
});
