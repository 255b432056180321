// The plain-text form: the fallback a phone's lock screen, a screen reader or a chat without cards shows.
import type { Notification, Template } from "../message.ts";
import { compose, type Format, plain } from "./template.ts";

/**
 * One short paragraph, no markup: "web aborted: AnalysisFailed. Rollout shop/web was aborted …". `f` only
 * escapes (Slack reads even its fallback text as mrkdwn); past `max` characters the reason is cut first.
 */
export function renderText(
  n: Notification,
  template?: Template,
  f: Format = plain,
  max = Number.POSITIVE_INFINITY,
): string {
  const textOnly: Format = { esc: f.esc, code: f.esc, link: f.esc };
  const title = f.esc(compose(n, template).title);
  const head = /[.!?:]$/.test(title) ? title : `${title}.`;
  const { text } = compose(n, template, textOnly, max - head.length - 1);
  return oneLine(`${head} ${text}`);
}

/** Newlines and runs of spaces become one space, so the paragraph stays one paragraph. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
