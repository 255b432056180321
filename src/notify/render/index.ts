// One entry point for the sender: a destination kind and a notification in, a request body out.
import type { Notification, Rendered, Template } from "../message.ts";
import { renderCloudEvent } from "./cloudevents.ts";
import { slackBotBody, slackWebhookBody } from "./slack.ts";
import { teamsMessage } from "./teams.ts";

export type DestinationKind = "slackWebhook" | "slackBot" | "msteams" | "webhook";

export { cloudEvent, eventSource, eventType, renderCloudEvent } from "./cloudevents.ts";
export { escapeMrkdwn, SLACK_LIMITS, slackBotBody, slackMessage, slackWebhookBody } from "./slack.ts";
export { adaptiveCard, teamsMessage } from "./teams.ts";
export { compose, defaultText, defaultTitle, facts, fill, formatDuration, values } from "./template.ts";
export { renderText } from "./text.ts";

/**
 * The request body for `kind`. The webhook form carries the notification as data, with the headline and
 * text a person would read (a Notifier's template replaces those).
 */
export function renderFor(
  kind: DestinationKind,
  n: Notification,
  template?: Template,
  opts: { channel?: string } = {},
): Rendered {
  switch (kind) {
    case "slackWebhook":
      return json(slackWebhookBody(n, template));
    case "slackBot":
      // The CRD requires a channel with a token; reaching here without one is a caller's bug.
      if (!opts.channel) throw new Error("renderFor(slackBot): chat.postMessage needs a channel");
      // Slack's Web API asks for an explicit charset on JSON bodies.
      return json(slackBotBody(n, opts.channel, template), "application/json; charset=utf-8");
    case "msteams":
      return json(teamsMessage(n, template));
    case "webhook":
      return renderCloudEvent(n, template);
  }
}

function json(value: unknown, contentType = "application/json"): Rendered {
  return { contentType, body: JSON.stringify(value) };
}
