// The Rollout's four analysis references. Each is handed whole to buildRun (src/analysis/build.ts) by
// src/strategy/*/plan.ts, so a field proven there is proven at a reference whose own run a test shows.
import { CONTAINER, type Proofs, reused } from "./proof.ts";

const BUILD = "test/unit/analysis/build.test.ts";
const ARGS = `${BUILD}#resolves every kind of arg`;
const SECRET_ARG = "test/integration/analysis/providers.test.ts#a planted secret";
const RUN_FIELDS = "test/integration/analysis/run-fields.test.ts";
const IN_ONE_STEP = `${RUN_FIELDS}#measurementRetention, initialDelay, a dryRun pattern and a fieldRef arg`;

/** Fields of every reference, with the tests of the code they share. */
const SHARED: Proofs = {
  "templates[].clusterScope": [`${BUILD}#clusterScope: true`],
  "args[].valueFrom": [ARGS, "test/unit/api/analysis-admission.test.ts#Rollout analysis args"],
  "args[].valueFrom.podTemplateHashValue": [ARGS],
  "args[].valueFrom.fieldRef": CONTAINER,
  "args[].valueFrom.fieldRef.fieldPath": [IN_ONE_STEP, ARGS],
  "args[].valueFrom.secretKeyRef": [SECRET_ARG, ARGS],
  "args[].valueFrom.secretKeyRef.name": [SECRET_ARG, ARGS],
  "args[].valueFrom.secretKeyRef.key": [SECRET_ARG, ARGS],
  dryRun: [IN_ONE_STEP],
  "dryRun[].metricName": [IN_ONE_STEP, `${RUN_FIELDS}#a dryRun entry that names no metric`],
  measurementRetention: [IN_ONE_STEP],
  "measurementRetention[].metricName": [IN_ONE_STEP],
  "measurementRetention[].limit": [IN_ONE_STEP],
};

/** The fields a reference's own test proves: it runs, from its templates, with its args' values. */
const own = (reach: readonly string[]): Proofs => ({
  "": reach,
  templates: reach,
  "templates[].templateName": reach,
  args: reach,
  "args[].name": reach,
  "args[].value": reach,
});

const at = (prefix: string, reach: readonly string[], extra: Proofs = {}) => ({
  ...reused(`${prefix}.`, reach, SHARED),
  ...reused(`${prefix}.`, reach, own(reach)),
  ...reused(`${prefix}.`, reach, extra),
});

const PROM = "test/integration/analysis/prometheus.test.ts";
const BG = "test/integration/bluegreen/bluegreen.test.ts";

export const ROLLOUT_ANALYSIS: Proofs = {
  ...at(
    "spec.strategy.canary.steps[].analysis",
    [`${PROM}#an arg with quotes and braces`, `${PROM}#a bad canary`],
    {
      "templates[].templateName": ["test/integration/canary/degraded.test.ts#AnalysisTemplateNotFound"],
    },
  ),
  ...at("spec.strategy.canary.analysis", ["test/integration/analysis/providers.test.ts#starts at step 3"], {
    startingStep: ["test/integration/api-admission.test.ts#background analysis starting past the last step"],
  }),
  ...at("spec.strategy.blueGreen.prePromotionAnalysis", [`${BG}#pre-promotion analysis failure`]),
  ...at("spec.strategy.blueGreen.postPromotionAnalysis", [`${BG}#post-promotion analysis failure`]),
};
