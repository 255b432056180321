// The HTTP request one message becomes for one destination: URL and credentials from Secrets, body rendered.
import type { ClusterNotifierSpec, NotifierSpec } from "../api/index.ts";
import type { HttpRequest } from "./deliver/index.ts";
import type { Notification } from "./message.ts";
import { renderFor } from "./render/index.ts";

export type NotifierSpecAny = NotifierSpec | ClusterNotifierSpec;
/** A Secret reference of either kind; a Notifier's has no namespace (its own is meant). */
export type AnyRef = { name: string; key: string; namespace?: string | undefined };

export const SLACK_API = "https://slack.com/api";

/** Slack's Web API answers 200 with {"ok": false, "error": "…"}: that error is the failure. */
export function slackApiCheck(status: number, body: string): string | undefined {
  if (status < 200 || status >= 300) return undefined;
  try {
    const out = JSON.parse(body) as { ok?: unknown; error?: unknown };
    return out.ok === true ? undefined : `slack: ${typeof out.error === "string" ? out.error : "not ok"}`;
  } catch {
    return "slack: the answer was not JSON";
  }
}

export async function requestFor(
  spec: NotifierSpecAny,
  n: Notification,
  opts: { channel?: string | undefined; secret: (ref: AnyRef) => Promise<string> },
): Promise<HttpRequest> {
  const template = spec.templates?.[n.event];
  if (spec.slack?.token) {
    const token = (await opts.secret(spec.slack.token)).trim();
    const r = renderFor("slackBot", n, template, { channel: opts.channel || spec.slack.channel || "" });
    const base = (spec.slack.apiURL ?? SLACK_API).replace(/\/$/, "");
    return {
      url: `${base}/chat.postMessage`,
      headers: { ...r.headers, "content-type": r.contentType, authorization: `Bearer ${token}` },
      body: r.body,
      check: slackApiCheck,
    };
  }
  if (spec.slack?.webhookURL) {
    const r = renderFor("slackWebhook", n, template);
    const url = (await opts.secret(spec.slack.webhookURL)).trim();
    return { url, headers: { ...r.headers, "content-type": r.contentType }, body: r.body };
  }
  if (spec.msteams) {
    const r = renderFor("msteams", n, template);
    const url = (await opts.secret(spec.msteams.webhookURL)).trim();
    return { url, headers: { ...r.headers, "content-type": r.contentType }, body: r.body };
  }
  const hook = spec.webhook;
  if (!hook) throw Object.assign(new Error("the Notifier names no destination"), { reason: "prepare" });
  const r = renderFor("webhook", n, template);
  const url = hook.url ?? (hook.urlFrom ? (await opts.secret(hook.urlFrom)).trim() : "");
  const headers: Record<string, string> = { ...r.headers, "content-type": r.contentType };
  for (const h of hook.headers ?? [])
    headers[h.name.toLowerCase()] =
      h.value ?? (h.valueFrom ? (await opts.secret(h.valueFrom.secretKeyRef)).trim() : "");
  return { url, headers, body: r.body };
}
