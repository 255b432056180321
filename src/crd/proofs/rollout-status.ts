// Rollout status: each field → the tests that assert what the controller (or, for intent, the plugin) writes.
import { CONTAINER, type Proofs } from "./proof.ts";

const I = "test/integration";
const STEPS = `${I}/canary/steps.test.ts`;
const ACTIONS = `${I}/canary/actions.test.ts`;
const VERSIONS = `${I}/canary/versions.test.ts`;
const CRASH = `${I}/canary/crash.test.ts#SIGKILL mid-pause`;
const BG = `${I}/bluegreen/bluegreen.test.ts`;
const PROM = `${I}/analysis/prometheus.test.ts`;
const PROVIDERS = `${I}/analysis/providers.test.ts`;
const MAX_WEIGHT = `${I}/traffic/gateway.test.ts#maxWeightScenario`;
const PLAN_STEPS = "test/unit/strategy/canary/plan-steps.test.ts";
const CONDITIONS = "test/unit/core/status.test.ts#lastTransitionTime moves only";
const BG_GATES = "test/unit/strategy/bluegreen/plan.test.ts#pre-promotion run";
const ABORT = `${ACTIONS}#abort returns to stable`;

export const ROLLOUT_STATUS: Proofs = {
  "status.observedGeneration": [`${I}/gitops/health.test.ts#never done before ramp observed the spec`],
  "status.phase": [`${STEPS}#a new version`],
  "status.message": [`${BG}#autoPromotionEnabled: false waits`],
  "status.replicas": [`${VERSIONS}#a newer template mid-rollout`],
  "status.updatedReplicas": [`${VERSIONS}#a newer template mid-rollout`],
  "status.readyReplicas": [`${STEPS}#first deploy`],
  "status.availableReplicas": [`${STEPS}#first deploy`],
  "status.selector": [`${VERSIONS}#scale subresource`, `${STEPS}#first deploy`],
  "status.currentPodHash": [`${VERSIONS}#going back to the stable template`],
  "status.stableRS": [`${VERSIONS}#going back to the stable template`],
  "status.stableRevision": [`${PLAN_STEPS}#rollback in Git to the stable version`],
  "status.canaryRevision": [`${PLAN_STEPS}#Git returns to an earlier version that is not stable`],
  "status.currentStepIndex": [`${STEPS}#a new version`],
  "status.stepCount": [`${I}/observability/metrics.test.ts#ramp_rollout_steps`],
  "status.canary": CONTAINER,
  "status.canary.weight": [ABORT, MAX_WEIGHT],
  "status.canary.stableWeight": [MAX_WEIGHT],
  "status.canary.currentStepAnalysisRun": [`${PROM}#no traffic to the canary`],
  "status.canary.stablePingPong": [`${I}/traffic/pingpong.test.ts#the pair takes turns`],
  "status.canary.currentBackgroundAnalysisRun": [`${PROVIDERS}#an Inconclusive background analysis`],
  "status.blueGreen": CONTAINER,
  "status.blueGreen.activeSelector": [`${BG}#auto-promotion:`],
  "status.blueGreen.previewSelector": [
    `${BG}#auto-promotion:`,
    `${I}/bluegreen/preview-count.test.ts#exactly 1 pod`,
  ],
  "status.blueGreen.prePromotionAnalysisRun": [BG_GATES],
  "status.blueGreen.postPromotionAnalysisRun": [BG_GATES],
  // Nothing in src/ writes it: the deadline is the ramp.dev/scale-down-at annotation on the ReplicaSet.
  "status.pauseStartTime": [CRASH],
  "status.abort": [ABORT],
  "status.abort.reason": [ABORT],
  "status.abort.message": [ABORT, `${PROM}#a bad canary`],
  "status.abort.by": [`${PROVIDERS}#starts at step 3`],
  "status.abort.at": ["test/unit/strategy/canary/plan-analysis.test.ts#a run per analysis step"],
  "status.conditions": [`${STEPS}#first deploy`],
  "status.conditions[].type": [`${STEPS}#first deploy`],
  "status.conditions[].status": [`${STEPS}#first deploy`],
  "status.conditions[].observedGeneration": [CONDITIONS],
  "status.conditions[].lastTransitionTime": [CONDITIONS],
  "status.conditions[].reason": [ABORT],
  "status.conditions[].message": [
    `${I}/canary/status-fields.test.ts#conditions[].message: an abort's message`,
  ],
  "status.machine": [`${VERSIONS}#going back to the stable template`, `${STEPS}#a new version`],
  "status.machine.version": ["test/unit/strategy/canary/machine.test.ts#dehydrate → hydrate"],
  "status.machine.value": [`${STEPS}#a new version`],
  "status.machine.context": [CRASH, `${BG}#autoPromotionSeconds waits`],
  "status.intent": [`${ACTIONS}#an indefinite pause waits until promote`],
  "status.intent.action": [`${ACTIONS}#promote --full skips`, ABORT],
  "status.intent.id": [`${PLAN_STEPS}#the intent is consumed`],
  "status.intent.requestedAt": [`${I}/canary/fields.test.ts#scaleDownDelaySeconds:`],
  "status.intent.requestedBy": [`${PLAN_STEPS}#aborted by alice`],
  "status.intent.stepIndex": [
    `${I}/canary/status-fields.test.ts#intent stepIndex: a promote aimed at step 0`,
  ],
  "status.intent.reason": [`${I}/cli/actions.test.ts#abort: traffic back to stable`],
  "status.lastIntentId": [`${PLAN_STEPS}#the intent is consumed`],
  "status.restartedAt": [`${I}/cli/actions.test.ts#restart replaces every pod`],
};
