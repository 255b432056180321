// Field → the test that fails if ramp ignored it (docs/style.md point 19), for every field docs/reference.md
// lists, keyed "Kind path" as the reference writes it. `npm run docs:check` keeps it complete and true.
//
// How an entry is chosen: a test that feeds the field, written where a user writes it, to ramp and asserts
// an outcome that would differ without it. An integration test on the real control plane first; a unit
// test when it is pure (schema, math, the plan of src/*/plan.ts, the run reconciler over one run); the
// admission test for a field's own CEL rule. Status fields: the tests that assert what is written.
// CONTAINER: an object whose only meaning is its fields. A field without a proving test fails docs:check.
import { ANALYSIS_RUN, ANALYSIS_TEMPLATE, CLUSTER_ANALYSIS_TEMPLATE } from "./proofs/analysis.ts";
import { CLUSTER_NOTIFIER, NOTIFIER, ROLLOUT_LEDGER } from "./proofs/notifier.ts";
import { ofKind, type Proofs } from "./proofs/proof.ts";
import { ROLLOUT_ANALYSIS } from "./proofs/rollout-analysis.ts";
import { ROLLOUT_SPEC } from "./proofs/rollout-spec.ts";
import { ROLLOUT_STATUS } from "./proofs/rollout-status.ts";

export { CONTAINER, type Proof, type Proofs } from "./proofs/proof.ts";

export const FIELD_PROOFS: Proofs = {
  ...ofKind("Rollout", { ...ROLLOUT_SPEC, ...ROLLOUT_ANALYSIS, ...ROLLOUT_STATUS, ...ROLLOUT_LEDGER }),
  ...ofKind("AnalysisTemplate", ANALYSIS_TEMPLATE),
  ...ofKind("ClusterAnalysisTemplate", CLUSTER_ANALYSIS_TEMPLATE),
  ...ofKind("AnalysisRun", ANALYSIS_RUN),
  ...ofKind("Notifier", NOTIFIER),
  ...ofKind("ClusterNotifier", CLUSTER_NOTIFIER),
};
