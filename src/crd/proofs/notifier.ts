// Notifier and ClusterNotifier, and the notification ledger in a Rollout's status: each field → the tests
// that fail if ramp ignored it. Both kinds share one spec schema (src/api/notifier.ts) read by one
// request builder (src/notify/request.ts), so a ClusterNotifier's own fields are its Secret namespaces.
import { CONTAINER, type Proofs } from "./proof.ts";

const I = "test/integration/notify";
const E2E = `${I}/notifications.test.ts#pause, promote, ship`;
const FAIL = `${I}/failures.test.ts#429 with Retry-After`;
const READY = `${I}/failures.test.ts#a Notifier that cannot work`;
const ADMIT = `${I}/failures.test.ts#admission refuses a Notifier`;
const CRASH = `${I}/crash.test.ts#nothing lost, at most one duplicate per kill`;
const U = "test/unit/notify";
const RECIPIENTS = `${U}/recipients.test.ts`;
const SELECTOR = `${RECIPIENTS}#a Rollout without labels is matched by {} and by DoesNotExist`;
const CHECK = `${U}/check.test.ts`;
const DERIVE = `${U}/derive.test.ts`;
const LEDGER = `${U}/ledger.test.ts`;

/** The spec of both kinds; `ref` adds a ClusterNotifier's Secret namespace. */
const spec = (cluster: boolean): Proofs => {
  const ns = (field: string): Proofs =>
    cluster ? { [`${field}.namespace`]: [`${CHECK}#a ClusterNotifier's Secret`, `${E2E}`] } : {};
  return {
    "spec.selector": [E2E, `${RECIPIENTS}#no selector: only subscriptions reach it`],
    "spec.selector.matchLabels": [E2E, SELECTOR],
    "spec.selector.matchExpressions": [E2E, SELECTOR],
    "spec.selector.matchExpressions[].key": [E2E, SELECTOR],
    "spec.selector.matchExpressions[].operator": [E2E, SELECTOR],
    "spec.selector.matchExpressions[].values": [E2E, SELECTOR],
    "spec.events": [`${E2E}`, `${RECIPIENTS}#events lists exactly what it is sent`, ADMIT],
    "spec.slack": CONTAINER,
    "spec.slack.webhookURL": [E2E, READY],
    "spec.slack.webhookURL.name": [E2E, READY],
    "spec.slack.webhookURL.key": [E2E, READY],
    ...ns("spec.slack.webhookURL"),
    "spec.slack.token": [E2E, ADMIT],
    "spec.slack.token.name": [E2E],
    "spec.slack.token.key": [E2E],
    ...ns("spec.slack.token"),
    "spec.slack.channel": [E2E, ADMIT],
    "spec.slack.apiURL": [E2E, `${CHECK}#a bot token is read but is not a URL`],
    "spec.msteams": CONTAINER,
    "spec.msteams.webhookURL": [E2E, READY],
    "spec.msteams.webhookURL.name": [E2E, READY],
    "spec.msteams.webhookURL.key": [E2E, READY],
    ...ns("spec.msteams.webhookURL"),
    "spec.webhook": CONTAINER,
    "spec.webhook.url": [E2E, FAIL, READY],
    "spec.webhook.urlFrom": [FAIL, `${CHECK}#every URL from a Secret is checked the same way`],
    "spec.webhook.urlFrom.name": [FAIL],
    "spec.webhook.urlFrom.key": [FAIL],
    ...ns("spec.webhook.urlFrom"),
    "spec.webhook.headers": [E2E],
    "spec.webhook.headers[].name": [E2E],
    "spec.webhook.headers[].value": [E2E],
    "spec.webhook.headers[].valueFrom": [E2E, `${CHECK}#a webhook header from a Secret is read`],
    "spec.webhook.headers[].valueFrom.secretKeyRef": [E2E],
    "spec.webhook.headers[].valueFrom.secretKeyRef.name": [E2E],
    "spec.webhook.headers[].valueFrom.secretKeyRef.key": [E2E],
    ...ns("spec.webhook.headers[].valueFrom.secretKeyRef"),
    "spec.templates": [
      E2E,
      "test/unit/notify/cloudevents.test.ts#a template replaces the title and text",
      ADMIT,
    ],
    "status.observedGeneration": [READY],
    "status.conditions": [READY],
    "status.conditions[].type": [READY],
    "status.conditions[].status": [READY],
    "status.conditions[].observedGeneration": [READY],
    "status.conditions[].lastTransitionTime": [READY],
    "status.conditions[].reason": [READY],
    "status.conditions[].message": [READY],
  };
};

export const NOTIFIER = spec(false);
export const CLUSTER_NOTIFIER = spec(true);

/** status.notifications of a Rollout: the ledger. */
export const ROLLOUT_LEDGER: Proofs = {
  "status.notifications": [E2E, CRASH],
  "status.notifications.seq": [E2E, `${LEDGER}#each new event takes the next seq`],
  "status.notifications.pending": [E2E, CRASH, FAIL],
  "status.notifications.pending[].seq": [CRASH, `${LEDGER}#a receipt names seq and recipient`],
  "status.notifications.pending[].event": [E2E, DERIVE],
  "status.notifications.pending[].at": [E2E, `${LEDGER}#the fields of the transition ride along unchanged`],
  "status.notifications.pending[].to": [E2E, `${LEDGER}#a receipt removes one recipient`],
  "status.notifications.pending[].version": [E2E, `${DERIVE}#the version is every container's name=image`],
  "status.notifications.pending[].revision": [DERIVE],
  "status.notifications.pending[].step": [E2E, DERIVE],
  "status.notifications.pending[].steps": [E2E, DERIVE],
  "status.notifications.pending[].weight": [E2E, `${DERIVE}#aborted: reason, message and by copied`],
  "status.notifications.pending[].reason": [E2E, `${DERIVE}#aborted: reason, message and by copied`],
  "status.notifications.pending[].message": [E2E, `${DERIVE}#aborted: reason, message and by copied`],
  "status.notifications.pending[].by": [`${DERIVE}#aborted: reason, message and by copied`],
  "status.notifications.pending[].durationSeconds": [
    E2E,
    `${DERIVE}#healthy when stableRS becomes currentPodHash`,
  ],
  "status.notifications.healthy": [`${DERIVE}#healthy again after Degraded, for a version already announced`],
};
