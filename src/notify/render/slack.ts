// Slack Block Kit, for an incoming webhook or chat.postMessage: a header, the body, the facts as fields,
// the time, and a button to the link, each cut to Slack's limits so a long abort reason is never refused.
import type { NotifyEventName } from "../../api/index.ts";
import type { Notification, Template } from "../message.ts";
import { compose, type Format, facts } from "./template.ts";
import { renderText } from "./text.ts";

/** Slack's documented limits (docs.slack.dev, Block Kit reference). */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  buttonText: 75,
  buttonUrl: 3000,
  // chat.postMessage truncates past 40,000; a notification fallback is kept far shorter.
  fallbackText: 3000,
} as const;

type Text = { type: "plain_text"; text: string; emoji?: boolean } | { type: "mrkdwn"; text: string };
export type SlackBlock =
  | { type: "header"; text: Text }
  | { type: "section"; text?: Text; fields?: Text[] }
  | { type: "context"; elements: Text[] }
  | {
      type: "actions";
      elements: {
        type: "button";
        text: Text;
        url: string;
        action_id: string;
        style?: "primary" | "danger";
      }[];
    };
export type SlackMessage = { text: string; blocks: SlackBlock[] };

/** Slack's three control characters, and only those (docs.slack.dev, "Escaping text"). */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export const mrkdwn: Format = {
  esc: escapeMrkdwn,
  // Backticks inside a command would end the code span early; they never occur in ramp's commands.
  code: (s) => `\`${escapeMrkdwn(s.replace(/`/g, "'"))}\``,
  // A "|" would end the URL part of Slack's <url|label> form.
  link: (url) => `<${escapeMrkdwn(url.replace(/\|/g, "%7C"))}>`,
};

/** Cuts plain text to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let head = s.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}…`;
}

/** Cuts mrkdwn without leaving half an entity, an open <link> or an open `code` span behind. */
export function cutMrkdwn(s: string, max: number): string {
  if (s.length <= max) return s;
  let head = cut(s, max).slice(0, -1);
  const amp = head.lastIndexOf("&");
  if (amp > head.lastIndexOf(";")) head = head.slice(0, amp);
  const lt = head.lastIndexOf("<");
  if (lt > head.lastIndexOf(">")) head = head.slice(0, lt);
  if ((head.match(/`/g) ?? []).length % 2 === 1) head = head.slice(0, head.lastIndexOf("`"));
  return `${head}…`;
}

const ICONS: Record<NotifyEventName, string> = {
  stepStarted: ":arrow_forward:",
  paused: ":double_vertical_bar:",
  analysisInconclusive: ":grey_question:",
  aborted: ":rotating_light:",
  progressDeadlineExceeded: ":hourglass:",
  healthy: ":white_check_mark:",
  rolledBack: ":leftwards_arrow_with_hook:",
};

/** Slack's <!date> token shows the time in each reader's own time zone; the ISO time is its fallback. */
function when(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return escapeMrkdwn(at);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${escapeMrkdwn(at)}>`;
}

/** The message both Slack forms share: `text` is the notification fallback, `blocks` what is shown. */
export function slackMessage(n: Notification, template?: Template): SlackMessage {
  // The reason gives way first, so a long one never pushes the command or the link out.
  const { title, text } = compose(n, template, mrkdwn, SLACK_LIMITS.sectionText);
  const blocks: SlackBlock[] = [
    {
      type: "header",
      // The icon counts toward the limit, so it is added before cutting.
      text: {
        type: "plain_text",
        text: cut(`${ICONS[n.event]} ${title}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    { type: "section", text: { type: "mrkdwn", text: cutMrkdwn(text, SLACK_LIMITS.sectionText) } },
    {
      type: "section",
      fields: facts(n)
        .slice(0, SLACK_LIMITS.fields)
        .map(([label, value]) => ({
          type: "mrkdwn",
          text: cutMrkdwn(`*${label}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.fieldText),
        })),
    },
    {
      type: "context",
      elements: [{ type: "mrkdwn", text: `${when(n.at)} · ${escapeMrkdwn(n.event)}` }],
    },
  ];
  // A URL longer than a button takes is better left out than cut into a broken link.
  if (n.link && n.link.length <= SLACK_LIMITS.buttonUrl) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          text: { type: "plain_text", text: "Open rollout" },
          url: n.link,
          action_id: "ramp-open-link",
          ...(n.event === "aborted" ? { style: "danger" as const } : {}),
        },
      ],
    });
  }
  // Slack reads the top-level text as mrkdwn too, so it is escaped like the blocks.
  const fallback = renderText(n, template, mrkdwn, SLACK_LIMITS.fallbackText);
  return { text: cutMrkdwn(fallback, SLACK_LIMITS.fallbackText), blocks };
}

/** An incoming webhook's body: the channel is the webhook's own. */
export function slackWebhookBody(n: Notification, template?: Template): SlackMessage {
  return slackMessage(n, template);
}

/** chat.postMessage's JSON body for a bot token (the token goes in the Authorization header). */
export function slackBotBody(
  n: Notification,
  channel: string,
  template?: Template,
): SlackMessage & { channel: string } {
  return { channel, ...slackMessage(n, template) };
}
