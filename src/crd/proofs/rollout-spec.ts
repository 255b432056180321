// Rollout spec (analysis references aside, see rollout-analysis.ts): each field → the tests that fail without it.
import { CONTAINER, type Proofs } from "./proof.ts";

const I = "test/integration";
const STEPS = `${I}/canary/steps.test.ts`;
const ACTIONS = `${I}/canary/actions.test.ts`;
const DEADLINE = `${I}/canary/deadline.test.ts`;
const DEGRADED = `${I}/canary/degraded.test.ts`;
const CRASH = `${I}/canary/crash.test.ts`;
const FIELDS = `${I}/canary/fields.test.ts`;
const PLACEMENT = `${I}/canary/placement.test.ts`;
const ROLE = `${I}/canary/role-metadata.test.ts`;
const WINDOW = `${I}/canary/rollback-window.test.ts`;
const VERSIONS = `${I}/canary/versions.test.ts`;
const BG = `${I}/bluegreen/bluegreen.test.ts`;
const ADMIT = `${I}/api-admission.test.ts`;
const WORKLOAD = `${I}/workload/workload-ref.test.ts`;
const GATEWAY = `${I}/traffic/gateway.test.ts`;
const ISTIO = `${I}/traffic/istio.test.ts`;
const L4 = `${I}/traffic/istio-l4.test.ts`;
const SUBSETS = `${I}/traffic/istio-subsets.test.ts`;
const NGINX = `${I}/traffic/nginx.test.ts`;
const NGINX_ANN = `${I}/traffic/nginx-annotations.test.ts`;
const ROUTE_DEGRADED = `${I}/traffic/degraded.test.ts`;
const RBAC = `${I}/chart/controller-rbac.test.ts#analysis, pruning and a restart complete`;
const PINGPONG = `${I}/traffic/pingpong.test.ts#the pair takes turns`;
// Refused fields are declared with their CEL rule by one unsupportedFields() entry (src/api/meta.ts), so
// the admission test of one proves the rule of each sibling declared beside it.
const REFUSED_ROUTER = `${ADMIT}#an ALB route`;
const SELECTORS = "test/unit/core/status.test.ts#selectors";
const ROLE_UNIT = "test/unit/strategy/shared/ephemeral.test.ts#carries it in its pod template";

const HEADER = `${GATEWAY}#canaryScenarios`;
// Mirroring is proven where a data plane mirrors: Istio (Traefik, for Gateway API, does not: refused).
const MIRROR = `${ISTIO}#mirrorScenario`;
const CANARY_ROLE = `${ROLE}#canary: role=canary selects`;
const BG_ROLE = `${ROLE}#blue-green: preview pods carry role=preview`;

export const ROLLOUT_SPEC: Proofs = {
  "spec.workloadRef": [`${WORKLOAD}#onsuccess`, `${ADMIT}#workloadRef beside a template`],
  "spec.workloadRef.apiVersion": [`${WORKLOAD}#exactly one of template and workloadRef`],
  "spec.workloadRef.kind": [
    `${WORKLOAD}#exactly one of template and workloadRef`,
    `${ADMIT}#workloadRef to a kind`,
  ],
  "spec.workloadRef.name": [`${WORKLOAD}#pointing workloadRef at a matching Deployment recovers`],
  "spec.workloadRef.scaleDown": [
    `${WORKLOAD}#scaleDown onsuccess`,
    `${WORKLOAD}#scaleDown never`,
    `${WORKLOAD}#scaleDown progressively`,
    `${WORKLOAD}#deleting the Rollout scales the Deployment back`,
    `${I}/workload/autoscaler.test.ts#not fought`,
  ],
  "spec.replicas": [`${STEPS}#first deploy`, `${VERSIONS}#scale subresource`],
  "spec.selector": [`${ADMIT}#spec.selector is immutable`, `${ADMIT}#empty selector`],
  "spec.selector.matchLabels": [`${STEPS}#first deploy`, `${ADMIT}#selector not matching the template`],
  "spec.selector.matchExpressions": [`${DEGRADED}#matchExpressions exclude the template`, SELECTORS],
  "spec.selector.matchExpressions[].key": [SELECTORS, `${DEGRADED}#matchExpressions exclude the template`],
  "spec.selector.matchExpressions[].operator": [SELECTORS],
  "spec.selector.matchExpressions[].values": [SELECTORS],
  "spec.template": [`${STEPS}#a new version`],
  "spec.template.metadata": CONTAINER,
  "spec.template.metadata.labels": [CANARY_ROLE, `${ADMIT}#selector not matching the template`],
  "spec.template.metadata.annotations": [
    `${I}/canary/spec-fields.test.ts#template annotations: each version's ReplicaSet template and pods`,
  ],
  "spec.template.spec": [`${DEADLINE}#no progress within progressDeadlineSeconds`],
  "spec.minReadySeconds": [`${I}/canary/spec-fields.test.ts#minReadySeconds: 10 holds the step`],
  "spec.revisionHistoryLimit": [RBAC],
  "spec.rollbackWindow": [`${WINDOW}#back to the previous revision inside the window`],
  "spec.rollbackWindow.revisions": [
    `${WINDOW}#a window of 1`,
    `${WINDOW}#blue-green: back inside the window`,
  ],
  "spec.progressDeadlineSeconds": [`${DEADLINE}#no progress within progressDeadlineSeconds`],
  "spec.progressDeadlineAbort": [`${DEADLINE}#with progressDeadlineAbort`],
  "spec.paused": [`${I}/gitops/health.test.ts#Healthy while a person or Git holds it`],
  "spec.restartAt": [`${I}/cli/actions.test.ts#restart replaces every pod`],
  "spec.strategy": [`${ADMIT}#both strategies`, `${ADMIT}#missing strategy`],
  "spec.strategy.canary": [`${STEPS}#a new version`, `${ADMIT}#same canary and stable Service`],
  "spec.strategy.canary.canaryService": [`${DEGRADED}#a missing Service`, HEADER],
  "spec.strategy.canary.stableService": [`${ROUTE_DEGRADED}#no rule sends to the stableService`, HEADER],
  "spec.strategy.canary.canaryMetadata": CONTAINER,
  "spec.strategy.canary.canaryMetadata.labels": [CANARY_ROLE],
  "spec.strategy.canary.canaryMetadata.annotations": [CANARY_ROLE],
  "spec.strategy.canary.stableMetadata": CONTAINER,
  "spec.strategy.canary.stableMetadata.labels": [CANARY_ROLE],
  // Labels and annotations go to pods together (src/strategy/shared/ephemeral.ts).
  "spec.strategy.canary.stableMetadata.annotations": [CANARY_ROLE, ROLE_UNIT],
  "spec.strategy.canary.steps": [`${STEPS}#a new version`],
  "spec.strategy.canary.steps[].experiment": [`${ADMIT}#an experiment step`],
  "spec.strategy.canary.steps[].plugin": [`${ADMIT}#an experiment step`],
  "spec.strategy.canary.steps[].setWeight": [`${STEPS}#a new version`, `${ADMIT}#weight 20000`],
  "spec.strategy.canary.steps[].pause": [`${ACTIONS}#an indefinite pause waits until promote`],
  "spec.strategy.canary.steps[].pause.duration": [
    `${CRASH}#SIGKILL mid-pause`,
    `${ADMIT}#bad pause duration`,
  ],
  "spec.strategy.canary.steps[].setCanaryScale": [
    `${FIELDS}#setCanaryScale:`,
    `${ADMIT}#setCanaryScale with two`,
  ],
  "spec.strategy.canary.steps[].setCanaryScale.weight": [`${FIELDS}#setCanaryScale:`],
  "spec.strategy.canary.steps[].setCanaryScale.replicas": [`${FIELDS}#setCanaryScale:`],
  "spec.strategy.canary.steps[].setCanaryScale.matchTrafficWeight": [`${FIELDS}#setCanaryScale:`],
  "spec.strategy.canary.steps[].setHeaderRoute": [HEADER],
  "spec.strategy.canary.steps[].setHeaderRoute.name": [HEADER, `${ADMIT}#header route not in managedRoutes`],
  "spec.strategy.canary.steps[].setHeaderRoute.match": [HEADER],
  "spec.strategy.canary.steps[].setHeaderRoute.match[].headerName": [HEADER],
  "spec.strategy.canary.steps[].setHeaderRoute.match[].headerValue": [
    HEADER,
    `${ADMIT}#header match with two`,
  ],
  "spec.strategy.canary.steps[].setHeaderRoute.match[].headerValue.exact": [HEADER],
  "spec.strategy.canary.steps[].setHeaderRoute.match[].headerValue.regex": [
    `${I}/traffic/match-fields.test.ts#headerValue.regex, and mirror matches`,
  ],
  "spec.strategy.canary.steps[].setHeaderRoute.match[].headerValue.prefix": [
    `${ISTIO}#Istio by Service hosts`,
  ],
  "spec.strategy.canary.steps[].setMirrorRoute": [MIRROR],
  "spec.strategy.canary.steps[].setMirrorRoute.name": [MIRROR],
  "spec.strategy.canary.steps[].setMirrorRoute.percentage": [MIRROR],
  "spec.strategy.canary.steps[].setMirrorRoute.match": [MIRROR],
  "spec.strategy.canary.steps[].setMirrorRoute.match[].method": CONTAINER,
  "spec.strategy.canary.steps[].setMirrorRoute.match[].method.exact": [
    `${I}/traffic/match-fields.test.ts#headerValue.regex, and mirror matches`,
  ],
  "spec.strategy.canary.steps[].setMirrorRoute.match[].path": CONTAINER,
  "spec.strategy.canary.steps[].setMirrorRoute.match[].path.exact": [
    `${I}/traffic/match-fields.test.ts#headerValue.regex, and mirror matches`,
  ],
  "spec.strategy.canary.steps[].setMirrorRoute.match[].path.prefix": [
    `${I}/traffic/match-fields.test.ts#headerValue.regex, and mirror matches`,
  ],
  "spec.strategy.canary.steps[].setMirrorRoute.match[].headers": [
    `${I}/traffic/match-fields.test.ts#headerValue.regex, and mirror matches`,
  ],
  "spec.strategy.canary.trafficRouting": [HEADER, `${ADMIT}#trafficRouting with no router`],
  "spec.strategy.canary.trafficRouting.alb": [REFUSED_ROUTER],
  "spec.strategy.canary.trafficRouting.smi": [REFUSED_ROUTER],
  "spec.strategy.canary.trafficRouting.appMesh": [REFUSED_ROUTER],
  "spec.strategy.canary.trafficRouting.ambassador": [REFUSED_ROUTER],
  "spec.strategy.canary.trafficRouting.apisix": [REFUSED_ROUTER],
  "spec.strategy.canary.trafficRouting.traefik": [REFUSED_ROUTER],
  "spec.strategy.canary.trafficRouting.plugins": [REFUSED_ROUTER],
  "spec.strategy.canary.trafficRouting.gatewayAPI": [HEADER],
  "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoutes": [HEADER],
  "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoutes[].name": [
    HEADER,
    `${ROUTE_DEGRADED}#a missing HTTPRoute`,
  ],
  "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoutes[].rules": [
    `${ROUTE_DEGRADED}#a named rule that does not exist`,
  ],
  "spec.strategy.canary.trafficRouting.nginx": [`${NGINX}#canaryScenarios`],
  "spec.strategy.canary.trafficRouting.nginx.stableIngress": [`${NGINX}#canaryScenarios`],
  "spec.strategy.canary.trafficRouting.nginx.stableIngresses": [
    `${I}/traffic/plural-routes.test.ts#NGINX stableIngresses: two stable Ingresses`,
  ],
  "spec.strategy.canary.trafficRouting.nginx.annotationPrefix": [`${NGINX_ANN}#annotationPrefix and canary`],
  "spec.strategy.canary.trafficRouting.nginx.additionalIngressAnnotations": [
    `${NGINX_ANN}#annotationPrefix and canary`,
    `${NGINX_ANN}#a key already under the prefix`,
  ],
  "spec.strategy.canary.trafficRouting.nginx.canaryIngressAnnotations": [
    `${NGINX_ANN}#annotationPrefix and canary`,
  ],
  "spec.strategy.canary.trafficRouting.istio": [`${ISTIO}#canaryScenarios`],
  "spec.strategy.canary.trafficRouting.istio.virtualService": [`${ISTIO}#canaryScenarios`],
  "spec.strategy.canary.trafficRouting.istio.virtualService.name": [`${ISTIO}#Istio by Service hosts`],
  "spec.strategy.canary.trafficRouting.istio.virtualService.routes": [
    `${ISTIO}#canaryScenarios`,
    `${ROUTE_DEGRADED}#several HTTP routes and none named`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualService.tlsRoutes": [
    `${L4}#weighted with the HTTP route`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualService.tlsRoutes[].port": [
    `${I}/traffic/plural-routes.test.ts#on the named ports`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualService.tlsRoutes[].sniHosts": [
    `${L4}#a tlsRoute the VirtualService does not have`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualService.tcpRoutes": [
    `${L4}#weighted with the HTTP route`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualService.tcpRoutes[].port": [
    `${I}/traffic/plural-routes.test.ts#on the named ports`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualServices": [
    `${I}/traffic/plural-routes.test.ts#each named VirtualService is weighted`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualServices[].name": [
    `${I}/traffic/plural-routes.test.ts#each named VirtualService is weighted`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualServices[].routes": [
    `${I}/traffic/plural-routes.test.ts#each named VirtualService is weighted`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualServices[].tlsRoutes": [
    `${I}/traffic/plural-routes.test.ts#each named VirtualService is weighted`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualServices[].tlsRoutes[].port": [
    `${I}/traffic/plural-routes.test.ts#each named VirtualService is weighted`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualServices[].tlsRoutes[].sniHosts": [
    `${I}/traffic/plural-routes.test.ts#each named VirtualService is weighted`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualServices[].tcpRoutes": [
    `${I}/traffic/plural-routes.test.ts#each named VirtualService is weighted`,
  ],
  "spec.strategy.canary.trafficRouting.istio.virtualServices[].tcpRoutes[].port": [
    `${I}/traffic/plural-routes.test.ts#each named VirtualService is weighted`,
  ],
  "spec.strategy.canary.trafficRouting.istio.destinationRule": [`${SUBSETS}#weighted between subsets`],
  "spec.strategy.canary.trafficRouting.istio.destinationRule.name": [`${SUBSETS}#weighted between subsets`],
  "spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName": [
    `${SUBSETS}#weighted between subsets`,
  ],
  "spec.strategy.canary.trafficRouting.istio.destinationRule.stableSubsetName": [
    `${SUBSETS}#weighted between subsets`,
  ],
  "spec.strategy.canary.trafficRouting.maxTrafficWeight": [
    `${GATEWAY}#maxWeightScenario`,
    `${NGINX}#maxWeightScenario`,
  ],
  "spec.strategy.canary.trafficRouting.managedRoutes": [HEADER],
  "spec.strategy.canary.trafficRouting.managedRoutes[].name": [
    HEADER,
    `${ADMIT}#header route not in managedRoutes`,
  ],
  "spec.strategy.canary.maxSurge": [
    `${I}/canary/spec-fields.test.ts#maxSurge: 0 keeps the pods of 5 replicas at 5`,
  ],
  "spec.strategy.canary.maxUnavailable": [
    `${I}/canary/spec-fields.test.ts#maxUnavailable: 0 keeps all 5 pods available`,
  ],
  "spec.strategy.canary.scaleDownDelaySeconds": [
    `${FIELDS}#scaleDownDelaySeconds:`,
    `${ADMIT}#scaleDownDelaySeconds without trafficRouting`,
  ],
  "spec.strategy.canary.antiAffinity": [
    `${PLACEMENT}#requiredDuringScheduling`,
    `${ADMIT}#antiAffinity with both`,
  ],
  "spec.strategy.canary.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution": [
    `${PLACEMENT}#preferredDuringSchedulingIgnoredDuringExecution: the canary's template prefers`,
  ],
  "spec.strategy.canary.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight": [
    `${PLACEMENT}#preferredDuringSchedulingIgnoredDuringExecution: the canary's template prefers`,
  ],
  "spec.strategy.canary.antiAffinity.requiredDuringSchedulingIgnoredDuringExecution": [
    `${PLACEMENT}#requiredDuringSchedulingIgnoredDuringExecution: the canary`,
  ],
  "spec.strategy.canary.pingPong": [
    PINGPONG,
    `${ADMIT}#pingPong beside canaryService`,
    `${ADMIT}#pingPong without trafficRouting`,
  ],
  "spec.strategy.canary.pingPong.pingService": [PINGPONG],
  "spec.strategy.canary.pingPong.pongService": [PINGPONG],
  "spec.strategy.canary.minPodsPerReplicaSet": [`${PLACEMENT}#minPodsPerReplicaSet: 2`],
  "spec.strategy.canary.scaleDownDelayRevisionLimit": [
    `${I}/canary/history-limits.test.ts#scaleDownDelayRevisionLimit: 0, the old stable scales down at once`,
  ],
  "spec.strategy.canary.abortScaleDownDelaySeconds": [`${FIELDS}#abortScaleDownDelaySeconds:`],
  "spec.strategy.canary.dynamicStableScale": [`${FIELDS}#dynamicStableScale:`],
  "spec.strategy.blueGreen": [`${BG}#auto-promotion:`, `${ADMIT}#blue-green preview = active`],
  "spec.strategy.blueGreen.activeService": [
    `${BG}#auto-promotion:`,
    `${ADMIT}#blue-green without activeService`,
  ],
  "spec.strategy.blueGreen.previewService": [
    `${I}/bluegreen/preview-count.test.ts#the preview runs exactly 1 pod`,
  ],
  "spec.strategy.blueGreen.previewReplicaCount": [
    `${I}/bluegreen/preview-count.test.ts#the preview runs exactly 1 pod`,
  ],
  "spec.strategy.blueGreen.autoPromotionEnabled": [`${BG}#autoPromotionEnabled: false waits`],
  "spec.strategy.blueGreen.autoPromotionSeconds": [`${BG}#autoPromotionSeconds waits`],
  "spec.strategy.blueGreen.maxUnavailable": [
    `${I}/bluegreen/fields.test.ts#maxUnavailable: 2 lets a restart take 2`,
  ],
  "spec.strategy.blueGreen.scaleDownDelaySeconds": [`${BG}#only after scaleDownDelaySeconds`],
  "spec.strategy.blueGreen.antiAffinity": [
    `${I}/bluegreen/fields.test.ts#antiAffinity requiredDuringSchedulingIgnoredDuringExecution: the preview pod`,
    `${I}/bluegreen/fields.test.ts#antiAffinity preferredDuringSchedulingIgnoredDuringExecution with weight 37`,
  ],
  "spec.strategy.blueGreen.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution": [
    `${I}/bluegreen/fields.test.ts#antiAffinity preferredDuringSchedulingIgnoredDuringExecution with weight 37`,
  ],
  "spec.strategy.blueGreen.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight": [
    `${I}/bluegreen/fields.test.ts#antiAffinity preferredDuringSchedulingIgnoredDuringExecution with weight 37`,
  ],
  "spec.strategy.blueGreen.antiAffinity.requiredDuringSchedulingIgnoredDuringExecution": [
    `${I}/bluegreen/fields.test.ts#antiAffinity requiredDuringSchedulingIgnoredDuringExecution: the preview pod`,
  ],
  "spec.strategy.blueGreen.scaleDownDelayRevisionLimit": [
    `${I}/bluegreen/scale-down-limit.test.ts#with a limit of 1`,
  ],
  "spec.strategy.blueGreen.abortScaleDownDelaySeconds": [
    "test/unit/strategy/bluegreen/plan.test.ts#the preview keeps its pods for abortScaleDownDelaySeconds",
  ],
  "spec.strategy.blueGreen.activeMetadata": CONTAINER,
  "spec.strategy.blueGreen.activeMetadata.labels": [BG_ROLE],
  "spec.strategy.blueGreen.activeMetadata.annotations": [BG_ROLE, ROLE_UNIT],
  "spec.strategy.blueGreen.previewMetadata": CONTAINER,
  "spec.strategy.blueGreen.previewMetadata.labels": [BG_ROLE],
  "spec.strategy.blueGreen.previewMetadata.annotations": [BG_ROLE, ROLE_UNIT],
  "spec.analysis": CONTAINER,
  "spec.analysis.successfulRunHistoryLimit": [RBAC],
  "spec.analysis.unsuccessfulRunHistoryLimit": [
    `${I}/canary/history-limits.test.ts#unsuccessfulRunHistoryLimit: 1 keeps only the newest`,
  ],
};
