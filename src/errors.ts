// ramp's stable error codes. Each code is the `reason` of a condition, Event or abort; never rename one.

type CodeDoc = { summary: string; fix: string };

/** The one table of codes; docs/errors.md is generated from it. */
export const ERROR_CODES = {
  InvalidSpec: {
    summary: "The Rollout (or template) does not match ramp's schema.",
    fix: "Correct the field the message names; `kubectl ramp lint -f FILE` shows every finding offline.",
  },
  SelectorMismatch: {
    summary: "spec.selector does not select the pods of spec.template.",
    fix: "Make spec.template.metadata.labels satisfy every matchLabels entry and matchExpressions requirement.",
  },
  WorkloadNotFound: {
    summary: "spec.workloadRef names a Deployment that does not exist in the Rollout's namespace.",
    fix: "Create the Deployment, correct spec.workloadRef.name, or create the Rollout in the Deployment's namespace (the message names it when ramp can see one).",
  },
  WorkloadSelectorMismatch: {
    summary: "spec.selector does not select the pod template of the Deployment spec.workloadRef names.",
    fix: "Make spec.selector match the Deployment's spec.template.metadata.labels (the message shows both).",
  },
  HPATargetsDeployment: {
    summary:
      "A HorizontalPodAutoscaler still targets the Deployment a Rollout's spec.workloadRef names: it would scale pods the Rollout no longer runs (condition AutoscalerConflict; the rollout goes on).",
    fix: "Point the HPA's scaleTargetRef at the Rollout (apiVersion ramp.dev/v1alpha1, kind Rollout). Until then ramp leaves the Deployment's replicas alone instead of fighting the HPA.",
  },
  ServiceNotFound: {
    summary:
      "A Service the strategy names (canaryService, stableService, activeService, previewService) does not exist.",
    fix: "Create the Service in the Rollout's namespace, or correct the name in the strategy.",
  },
  AnalysisTemplateNotFound: {
    summary: "An analysis refers to an AnalysisTemplate or ClusterAnalysisTemplate that does not exist.",
    fix: "Create the template, correct templateName, or set clusterScope for a ClusterAnalysisTemplate.",
  },
  RouteNotFound: {
    summary:
      "A traffic-routing object (HTTPRoute, Ingress, VirtualService, DestinationRule) named by the Rollout does not exist.",
    fix: "Create the object in the Rollout's namespace, or correct its name under trafficRouting.",
  },
  RouteRuleNotFound: {
    summary:
      "The routing object has no rule or route that sends traffic to the stableService, or a rule/route named under trafficRouting is missing.",
    fix: "Add a rule with a backend of the stableService (and the canaryService at weight 0), or name the rule.",
  },
  ServiceNotInRoute: {
    summary:
      "A rule or route ramp weights does not reference the stableService or the canaryService (or a DestinationRule subset).",
    fix: "Add the missing backend (the canaryService at weight 0) to the rule the message names, or name another rule.",
  },
  RouterNotInstalled: {
    summary:
      "The Rollout uses a traffic router whose API (CRD) the cluster does not serve: never installed, deleted, or not yet Established.",
    fix: "Install the router's CRDs (Gateway API standard channel, Istio). ramp-controller watches CRDs and reconciles the Rollout again within seconds of the API being served; no restart is needed.",
  },
  RouteRejected: {
    summary:
      "The apiserver rejected ramp's change to a routing object (the route's own schema or CEL rules).",
    fix: "The message is the apiserver's validation error: correct the step (e.g. a header name) or the route.",
  },
  RouterUnsupported: {
    summary: "A step or setting asks for something the chosen traffic router cannot express.",
    fix: "The message names the step and the routers that can; change the step or the router.",
  },
  TrafficCleanupFailed: {
    summary:
      "A Rollout was deleted, but ramp could not give back every routing object it had changed (the object was gone, or no longer matched the Rollout); the Rollout was deleted anyway.",
    fix: "Check the objects the Event names: the stable backend at the full weight, the canary at 0, no rule named after a managedRoutes entry.",
  },
  ReplicaSetRejected: {
    summary: "The apiserver rejected the ReplicaSet ramp made from spec.template.",
    fix: "Correct spec.template as the message says (it is the apiserver's own validation error).",
  },
  ProgressDeadlineExceeded: {
    summary: "The new version made no progress within progressDeadlineSeconds (pods not Ready).",
    fix: "Find why pods are not Ready (`kubectl ramp get rollout NAME`); fix the template or raise the deadline.",
  },
  AbortedByUser: {
    summary: "A person aborted the rollout (`kubectl ramp abort`).",
    fix: "`kubectl ramp retry NAME` starts the steps again; or change the template to ship another version.",
  },
  AnalysisFailed: {
    summary:
      "An analysis metric met its failureCondition (or missed its successCondition) beyond failureLimit.",
    fix: "The message names the metric, value and condition. Fix the new version, then retry or ship another.",
  },
  AnalysisError: {
    summary:
      "An analysis metric could not be measured consecutiveErrorLimit times in a row (provider errors), or a " +
      'field written as "{{args.NAME}}" (count, a limit, interval) resolved to no valid value.',
    fix: "Check the provider (Prometheus address, auth, query) or the analysis arg named in the message; then retry.",
  },
  InconclusiveAnalysis: {
    summary: "An analysis ended Inconclusive (e.g. no data): ramp waits for a person instead of guessing.",
    fix: "Look at the metric in the message, then `kubectl ramp promote NAME` to continue or `abort` to stop.",
  },
  InvalidCondition: {
    summary: "A successCondition or failureCondition is not a valid CEL expression.",
    fix: "Correct the expression at the position the message gives; `result` holds the measured value.",
  },
  WebAnalysisDenied: {
    summary:
      "An analysis provider's address (a web metric's URL, a Prometheus metric's provider.prometheus.address, or a redirect from either) leads to an address analysis may not call: a cloud metadata service, the controller's own metrics or health endpoint, or a --web-analysis-deny entry. The measurement is an Error.",
    fix: "The message names the metric, the URL or field and the entry. Point the metric elsewhere, or have the operator add the address to --web-analysis-allow (Helm analysis.web.allow); the controller's own endpoints cannot be allowed.",
  },
  NotifierSecretMissing: {
    summary:
      "A Notifier's Secret (its webhook URL, bot token or a header) does not exist, lacks the key, or may not be read by the controller (condition Ready=False on the Notifier; rollouts are not affected).",
    fix: "Create the Secret with that key in the namespace the message names (a ClusterNotifier's secretKeyRef names its namespace); with Helm analysis.secretNames set, add the Secret's name there.",
  },
  NotifierInvalidURL: {
    summary: "A Notifier's URL (inline or from its Secret) is not an absolute http(s) URL.",
    fix: "Put the full URL, e.g. https://hooks.slack.com/services/…, in the field or Secret key the message names.",
  },
  NotifierDenied: {
    summary:
      "A Notifier's destination is an address the controller may not call (cloud metadata, the controller's own endpoints, or a --web-analysis-deny entry), the same policy as web analysis.",
    fix: "Point the Notifier elsewhere, or have the operator allow the address with --web-analysis-allow (Helm analysis.web.allow).",
  },
  NotificationSubscriptionInvalid: {
    summary:
      "A Rollout's notifications.ramp.dev/subscribe.<event>.<notifier> annotation is malformed (an unknown event, a channel over 80 characters) or names no Notifier in its namespace and no ClusterNotifier: a Warning Event, once; nothing is sent for it and the rollout goes on.",
    fix: "Correct the annotation the Event names, or create the Notifier it names.",
  },
  NotificationFailed: {
    summary:
      "A destination did not accept a notification within --notify-give-up-seconds (default 600) of being queued, or refused it (4xx): a Warning Event on the Rollout; ramp_notifications_failed_total counts it and RampNotificationsFailing fires.",
    fix: "The Event names the event, the destination and the last answer: fix the webhook, token or receiver; later notifications are sent as usual.",
  },
  ApiError: {
    summary: "A Kubernetes API request failed; ramp retries with backoff.",
    fix: "Usually transient. If it persists, check the controller's RBAC and the apiserver's health.",
  },
} as const satisfies Record<string, CodeDoc>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error carrying a stable code, so callers can turn it into a condition without string matching. */
export class RampError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RampError";
    this.code = code;
  }
}

/** The code of any thrown value: a RampError's own, otherwise ApiError. */
export const codeOf = (err: unknown): ErrorCode => (err instanceof RampError ? err.code : "ApiError");
