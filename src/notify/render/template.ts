// What a notification says, independent of where it goes: ramp's own headline and body per event, a
// Notifier's override filled from placeholders, and the facts every destination shows.
import type { NotifyEventName } from "../../api/index.ts";
import type { Notification, Template } from "../message.ts";

export const PLACEHOLDERS = [
  "rollout",
  "namespace",
  "event",
  "version",
  "step",
  "weight",
  "reason",
  "message",
  "command",
  "link",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** How a destination marks up text: plain text, Slack mrkdwn, Teams markdown. */
export type Format = {
  /** Makes a value safe to embed (Slack: &, <, >). */
  esc: (s: string) => string;
  /** A command to copy. */
  code: (s: string) => string;
  /** A link the reader can open. */
  link: (url: string) => string;
};

export const plain: Format = { esc: (s) => s, code: (s) => s, link: (url) => url };

/** Each placeholder's value; unknown values are empty so a template never prints "undefined". */
export function values(n: Notification): Record<Placeholder, string> {
  return {
    rollout: n.rollout.name,
    namespace: n.rollout.namespace,
    event: n.event,
    version: n.version ?? "",
    step: n.step ? `${n.step.index}/${n.step.count}` : "",
    // A percent sign, so "at {{weight}}" reads "at 20%".
    weight: n.weight === undefined ? "" : `${n.weight}%`,
    reason: n.reason ?? "",
    message: n.message ?? "",
    command: commandOf(n) ?? "",
    link: n.link ?? "",
  };
}

/** Replaces `{{name}}` (spaces allowed inside the braces); unknown names stay as written. */
export function fill(template: string, n: Notification): string {
  const v = values(n);
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) =>
    isPlaceholder(name) ? v[name] : whole,
  );
}

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/** The command that moves a waiting rollout on; derived when the sender left it out. */
export function commandOf(n: Notification): string | undefined {
  if (n.command) return n.command;
  if (n.event === "paused" || n.event === "analysisInconclusive") {
    return `kubectl ramp promote ${n.rollout.name} -n ${n.rollout.namespace}`;
  }
  return undefined;
}

/** "4m 12s", "1h 5m", "2d 3h", "0s": the two largest units, the way people say it. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const units: [number, string][] = [
    [Math.floor(s / 86400), "d"],
    [Math.floor((s % 86400) / 3600), "h"],
    [Math.floor((s % 3600) / 60), "m"],
    [s % 60, "s"],
  ];
  const first = units.findIndex(([q]) => q > 0);
  if (first === -1) return "0s";
  return units
    .slice(first, first + 2)
    .filter(([q]) => q > 0)
    .map(([q, u]) => `${q}${u}`)
    .join(" ");
}

const HEADLINES: Record<NotifyEventName, (name: string, n: Notification) => string> = {
  stepStarted: (r, n) =>
    n.step ? `${r}: step ${n.step.index}/${n.step.count} started` : `${r}: step started`,
  paused: (r) => `${r} is paused and waits for you`,
  analysisInconclusive: (r) => `${r}: analysis inconclusive, a person must decide`,
  aborted: (r, n) => (n.reason ? `${r} aborted: ${n.reason}` : `${r} aborted`),
  progressDeadlineExceeded: (r) => `${r} exceeded its progress deadline`,
  healthy: (r) => `${r} is healthy`,
  rolledBack: (r) => `${r} rolled back`,
};

/** The headline ramp writes when no template replaces it. */
export function defaultTitle(n: Notification): string {
  return HEADLINES[n.event](n.rollout.name, n);
}

/** Where the rollout stands: "at step 2/5 (weight 20%)", or less when less is known. */
function position(n: Notification): string {
  const step = n.step ? `step ${n.step.index}/${n.step.count}` : "";
  const weight = n.weight === undefined ? "" : `weight ${n.weight}%`;
  if (step && weight) return ` at ${step} (${weight})`;
  return step || weight ? ` at ${step || weight}` : "";
}

/** "AnalysisFailed: error-rate was 0.07, wanted < 0.05", or whichever half is known. */
function why(n: Notification): string {
  return [n.reason, n.message].filter((s): s is string => Boolean(s)).join(": ");
}

/** The first sentence, per event: what happened, and who or what did it. */
function lead(n: Notification, f: Format): string {
  const who = `Rollout ${f.esc(`${n.rollout.namespace}/${n.rollout.name}`)}`;
  const at = f.esc(position(n));
  const by = n.by ? ` by ${f.esc(n.by)}` : "";
  switch (n.event) {
    case "stepStarted":
      return n.step ? `${who} started${at}.` : `${who} started a step${at}.`;
    case "paused":
      return `${who} is paused${at} and waits for a person to promote it.`;
    case "analysisInconclusive":
      return `${who}: analysis was inconclusive${at}, so it waits for a person to decide.`;
    case "aborted":
      return `${who} was aborted${by}${at}.`;
    case "progressDeadlineExceeded":
      return `${who} made no progress within its progress deadline${at}.`;
    case "healthy":
      return `${who} is fully promoted and healthy${at}${
        n.durationSeconds === undefined ? "" : `, ${formatDuration(n.durationSeconds)} after its first step`
      }.`;
    case "rolledBack":
      return `${who} was rolled back${by}${at}.`;
  }
}

/**
 * ramp's own body: one short paragraph naming everything a person needs to act. Past `max` characters
 * the reason is cut, never the command or the link.
 */
export function defaultText(n: Notification, f: Format = plain, max = Number.POSITIVE_INFINITY): string {
  const head = [lead(n, f)];
  if (n.version)
    head.push(n.event === "healthy" ? `Live: ${f.esc(n.version)}.` : `Version: ${f.esc(n.version)}.`);
  const tail: string[] = [];
  const command = commandOf(n);
  const waiting = n.event === "paused" || n.event === "analysisInconclusive";
  // The command mid-sentence, so no full stop sticks to it when copied.
  if (command) tail.push(`Run ${f.code(command)} ${waiting ? "to promote it" : "next"}.`);
  if (n.link) tail.push(`Details: ${f.link(n.link)}`);
  const reason = why(n);
  if (!reason) return [...head, ...tail].join(" ");
  const room = max - [...head, "Reason: .", ...tail].join(" ").length;
  return [...head, `Reason: ${shorten(reason, room, f)}.`, ...tail].join(" ");
}

/** The longest prefix of `s` whose escaped form, with an ellipsis, fits in `room` characters. */
function shorten(s: string, room: number, f: Format): string {
  if (f.esc(s).length <= room) return f.esc(s);
  // Escaping lengthens text unevenly, so search for the cut rather than guess it.
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (f.esc(s.slice(0, mid)).length + 1 <= room) lo = mid;
    else hi = mid - 1;
  }
  let head = s.slice(0, lo);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${f.esc(head)}…`;
}

/** The headline and body to send: the template's where it has them, ramp's own otherwise. */
export function compose(
  n: Notification,
  template?: Template,
  f: Format = plain,
  max = Number.POSITIVE_INFINITY,
): { title: string; text: string } {
  return {
    // A title is plain text everywhere (Slack's header is plain_text), so it is filled unescaped.
    title: template?.title ? fill(template.title, n) : defaultTitle(n),
    // A template serves every destination, so it is text, not markup: all of it is escaped.
    text: template?.text ? f.esc(fill(template.text, n)) : defaultText(n, f, max),
  };
}

/** Label and value of each known fact, in the order a reader scans them. */
export function facts(n: Notification): [string, string][] {
  const out: [string, string][] = [
    ["Rollout", n.rollout.name],
    ["Namespace", n.rollout.namespace],
  ];
  if (n.version) out.push(["Version", n.version]);
  if (n.step) out.push(["Step", `${n.step.index}/${n.step.count}`]);
  if (n.weight !== undefined) out.push(["Weight", `${n.weight}%`]);
  if (n.reason) out.push(["Reason", n.reason]);
  if (n.by) out.push(["By", n.by]);
  if (n.durationSeconds !== undefined) out.push(["Took", formatDuration(n.durationSeconds)]);
  return out;
}
