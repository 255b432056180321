// Microsoft Teams: an Adaptive Card (1.4, which Teams renders) in the message envelope Teams webhooks take.
import type { NotifyEventName } from "../../api/index.ts";
import type { Notification, Template } from "../message.ts";
import { commandOf, compose, facts, plain } from "./template.ts";
import { renderText } from "./text.ts";

/** Teams refuses a webhook payload over about 28 KB; no single text may crowd the rest out. */
const MAX_TEXT = 8000;

type TextBlock = {
  type: "TextBlock";
  text: string;
  wrap: true;
  size?: "Small" | "Default" | "Medium" | "Large";
  weight?: "Bolder";
  color?: "Good" | "Warning" | "Attention";
  fontType?: "Monospace";
  isSubtle?: boolean;
  spacing?: "None" | "Small" | "Medium";
};
type FactSet = { type: "FactSet"; facts: { title: string; value: string }[] };
type OpenUrl = { type: "Action.OpenUrl"; title: string; url: string };

export type AdaptiveCard = {
  $schema: "http://adaptivecards.io/schemas/adaptive-card.json";
  type: "AdaptiveCard";
  version: "1.4";
  body: (TextBlock | FactSet)[];
  actions?: OpenUrl[];
  fallbackText: string;
};
export type TeamsMessage = {
  type: "message";
  attachments: [
    { contentType: "application/vnd.microsoft.card.adaptive"; contentUrl: null; content: AdaptiveCard },
  ];
};

const COLORS: Partial<Record<NotifyEventName, TextBlock["color"]>> = {
  paused: "Warning",
  analysisInconclusive: "Warning",
  aborted: "Attention",
  progressDeadlineExceeded: "Attention",
  rolledBack: "Attention",
  healthy: "Good",
};

function cut(s: string, max = MAX_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Adaptive Cards' DATE/TIME functions show the reader's local time; they take RFC 3339 without fractions. */
function when(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return at;
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `{{DATE(${iso},SHORT)}} {{TIME(${iso})}}`;
}

export function adaptiveCard(n: Notification, template?: Template): AdaptiveCard {
  const { title, text } = compose(n, template, plain, MAX_TEXT);
  const color = COLORS[n.event];
  const body: AdaptiveCard["body"] = [
    {
      type: "TextBlock",
      text: cut(title, 256),
      wrap: true,
      size: "Medium",
      weight: "Bolder",
      ...(color ? { color } : {}),
    },
    { type: "TextBlock", text: cut(text), wrap: true },
  ];
  const command = commandOf(n);
  // The command again on its own line, in a fixed-width font, so it copies cleanly on a phone.
  if (command) body.push({ type: "TextBlock", text: cut(command, 1000), wrap: true, fontType: "Monospace" });
  body.push(
    { type: "FactSet", facts: facts(n).map(([t, value]) => ({ title: t, value: cut(value, 2000) })) },
    { type: "TextBlock", text: `${when(n.at)} · ${n.event}`, wrap: true, size: "Small", isSubtle: true },
  );
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    ...(n.link ? { actions: [{ type: "Action.OpenUrl" as const, title: "Open rollout", url: n.link }] } : {}),
    fallbackText: cut(renderText(n, template, plain, MAX_TEXT)),
  };
}

export function teamsMessage(n: Notification, template?: Template): TeamsMessage {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: adaptiveCard(n, template),
      },
    ],
  };
}
