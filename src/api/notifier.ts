// Notifier (namespaced) and ClusterNotifier: where ramp tells people that a rollout needs them or ended.
import { z } from "zod";
import { Condition, cel, LabelSelector, objectMeta, SecretKeyRef } from "./meta.ts";

/** Every event a Notifier may ask for; the CloudEvents type is `dev.ramp.rollout.<name lower-cased>`. */
export const NOTIFY_EVENTS = [
  "stepStarted",
  "paused",
  "analysisInconclusive",
  "aborted",
  "progressDeadlineExceeded",
  "healthy",
  "rolledBack",
] as const;
export const NotifyEventName = z.enum(NOTIFY_EVENTS);
export type NotifyEventName = z.infer<typeof NotifyEventName>;
/** What a Notifier without `events` is sent: everything but stepStarted (one message per step is noise). */
export const DEFAULT_EVENTS: readonly NotifyEventName[] = NOTIFY_EVENTS.filter((e) => e !== "stepStarted");

/** A ClusterNotifier's Secret lives in a namespace it must name. */
export const NamespacedSecretKeyRef = SecretKeyRef.extend({
  namespace: z
    .string()
    .min(1)
    .max(63)
    .describe("Namespace of the Secret (a ClusterNotifier has none of its own)."),
});

const template = z
  .object({
    title: z.string().max(256).optional().describe("Replaces the headline; placeholders as in text."),
    text: z
      .string()
      .max(4096)
      .optional()
      .describe(
        "Replaces the body. Placeholders: {{rollout}} {{namespace}} {{event}} {{version}} {{step}} " +
          "{{weight}} {{reason}} {{message}} {{command}} {{link}}.",
      ),
  })
  .describe("A message override for one event.");

/** The spec of both kinds; `ref` is the Secret reference form each allows. */
function notifierSpec<R extends z.ZodType>(ref: R) {
  const secret = (what: string) => ref.describe(what);
  return cel(
    z.object({
      selector: LabelSelector.optional().describe(
        "Rollouts whose labels match are notified ({} matches every Rollout in scope). Without it, only " +
          "Rollouts that subscribe by the notifications.ramp.dev/subscribe.<event>.<notifier> annotation.",
      ),
      events: z
        .array(NotifyEventName)
        .max(NOTIFY_EVENTS.length)
        .optional()
        .describe("Which events to send; default every event but stepStarted."),
      slack: cel(
        z
          .object({
            webhookURL: secret(
              "An incoming-webhook URL, from a Secret (the URL is the credential).",
            ).optional(),
            token: secret(
              "A bot token (xoxb-…) from a Secret; posts with chat.postMessage to channel.",
            ).optional(),
            channel: z.string().max(80).optional().describe("With token: the channel (#name or an id)."),
            apiURL: z
              .string()
              .max(2048)
              .optional()
              .describe(
                "With token: Slack's API base (default https://slack.com/api), for a proxy or a test.",
              ),
          })
          .describe("Slack: Block Kit messages with a plain-text fallback."),
        {
          rule: "has(self.webhookURL) != has(self.token)",
          message: "spec.slack: set exactly one of webhookURL (an incoming webhook) or token (a bot token)",
        },
        {
          rule: "!has(self.token) || has(self.channel)",
          message: "spec.slack.channel: a bot token posts to a channel; name it (#deploys or C0123456)",
        },
      ).optional(),
      msteams: z
        .object({
          webhookURL: secret("A Teams (Workflows or Office 365 connector) webhook URL, from a Secret."),
        })
        .describe("Microsoft Teams: an Adaptive Card.")
        .optional(),
      webhook: cel(
        z
          .object({
            url: z
              .string()
              .max(2048)
              .optional()
              .describe("Where CloudEvents 1.0 JSON (structured mode) is POSTed."),
            urlFrom: secret("The URL from a Secret, when it carries a credential.").optional(),
            headers: z
              .array(
                cel(
                  z.object({
                    name: z.string().min(1).max(256),
                    value: z.string().max(4096).optional(),
                    valueFrom: z.object({ secretKeyRef: ref }).optional(),
                  }),
                  {
                    rule: "has(self.value) != has(self.valueFrom)",
                    message: "spec.webhook.headers[]: set exactly one of value or valueFrom.secretKeyRef",
                  },
                ),
              )
              .max(16)
              .optional()
              .describe("Extra request headers (say, Authorization from a Secret)."),
          })
          .describe("Any HTTP receiver: each event as a CloudEvent (type dev.ramp.rollout.<event>)."),
        {
          rule: "has(self.url) != has(self.urlFrom)",
          message: "spec.webhook: set exactly one of url or urlFrom.secretKeyRef",
        },
      ).optional(),
      templates: cel(
        z
          .partialRecord(NotifyEventName, template)
          .describe("Per event name, a title and text that replace ramp's own.")
          .meta({ maxProperties: NOTIFY_EVENTS.length }),
        {
          rule: `self.all(k, k in [${NOTIFY_EVENTS.map((e) => `'${e}'`).join(", ")}])`,
          message: `spec.templates: keys are event names: ${NOTIFY_EVENTS.join(", ")}`,
        },
      ).optional(),
    }),
    {
      rule: "[has(self.slack), has(self.msteams), has(self.webhook)].filter(x, x).size() == 1",
      message: "spec: set exactly one destination: slack, msteams or webhook",
    },
  );
}

export const NotifierSpec = notifierSpec(SecretKeyRef);
export const ClusterNotifierSpec = notifierSpec(NamespacedSecretKeyRef);
export type NotifierSpec = z.infer<typeof NotifierSpec>;
export type ClusterNotifierSpec = z.infer<typeof ClusterNotifierSpec>;

export const NotifierStatus = z.object({
  observedGeneration: z.int().min(0).optional(),
  conditions: z
    .array(Condition)
    .optional()
    .describe("Ready: whether the destination can be reached as configured, and if not, the fix."),
});
export type NotifierStatus = z.infer<typeof NotifierStatus>;

export const Notifier = z.object({
  apiVersion: z.string(),
  kind: z.literal("Notifier"),
  metadata: objectMeta,
  spec: NotifierSpec,
  status: NotifierStatus.optional(),
});
export type Notifier = z.infer<typeof Notifier>;

export const ClusterNotifier = z.object({
  apiVersion: z.string(),
  kind: z.literal("ClusterNotifier"),
  metadata: objectMeta,
  spec: ClusterNotifierSpec,
  status: NotifierStatus.optional(),
});
export type ClusterNotifier = z.infer<typeof ClusterNotifier>;
