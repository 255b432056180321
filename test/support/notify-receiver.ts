// A stand-in for where ramp's notifications go, answering as the public docs describe: a Slack incoming
// webhook (200 `ok`; 400 invalid_payload / no_text / invalid_blocks), Slack's chat.postMessage (always
// 200, {ok:false,error} on failure), a Teams Workflows webhook (202; a connector's 200 `1` with
// teams: "connector") and a CloudEvents 1.0 receiver (the official SDK; 202). Tests script failures per
// path (respondWith, hang, down/up) and read what was accepted (messages, waitFor). Run alone with
// `node test/support/notify-receiver.ts --port N [--slack-token T] [--teams connector]`: it prints its URLs
// as one JSON line and serves until killed; /_receiver/{messages,requests} (GET) and
// /_receiver/{respondWith,hang} (POST, the method's arguments as JSON) control it from another process.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { type CloudEvent, HTTP } from "cloudevents";

export type MessageKind = "slack-webhook" | "slack-api" | "teams" | "cloudevent";

export interface ReceivedMessage {
  path: string;
  /** Date.now() when the request arrived. */
  at: number;
  kind: MessageKind;
  /** The parsed JSON body (a CloudEvent: the event as JSON, binary or structured). */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** A CloudEvent's id. */
  id?: string;
}

/** Every request, accepted or not (to time retries). */
export interface ReceivedRequest {
  method: string;
  path: string;
  at: number;
  status: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type MessageFilter = ((m: ReceivedMessage) => boolean) | { kind?: MessageKind; path?: string };

export interface NotifyReceiverOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bot token chat.postMessage accepts (default "xoxb-test"). */
  slackToken?: string;
  /** When set, chat.postMessage knows only these channels (else any non-empty one). */
  slackChannels?: string[];
  /** Workflows answers 202 with no body; an Office 365 connector answers 200 `1`. */
  teams?: "workflows" | "connector";
}

export interface NotifyReceiver {
  url: string;
  slackWebhookUrl: string;
  /** Slack's API base (a Notifier's spec.slack.apiURL); chat.postMessage is under it. */
  slackApiUrl: string;
  teamsUrl: string;
  cloudEventsUrl: string;
  messages(filter?: MessageFilter): ReceivedMessage[];
  requests(path?: string): ReceivedRequest[];
  /** The first message (already received or coming) that matches; rejects after timeoutMs. */
  waitFor(filter: MessageFilter, timeoutMs?: number): Promise<ReceivedMessage>;
  /** The next `times` requests to `path` (a path or a URL; its sub-paths too) get this answer instead. */
  respondWith(path: string, response: ScriptedResponse, times?: number): void;
  /**
   * Requests to `path` wait `ms`, then are handled as usual (`times` of them; every one by default; 0
   * stops): one whose client gave up is still recorded, as a slow service that did post it would.
   */
  hang(path: string, ms: number, times?: number): void;
  /** Closes the listener and every connection: connections are refused until up(). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const BLOCK_TYPES = new Set(["header", "section", "context", "actions", "divider"]);
const ADAPTIVE = "application/vnd.microsoft.card.adaptive";
/** Each contract's path (its sub-paths too, so tests can tell notifiers apart; chat.postMessage exactly). */
const ROUTES: [string, MessageKind][] = [
  ["/slack/webhook", "slack-webhook"],
  ["/slack/api/chat.postMessage", "slack-api"],
  ["/teams", "teams"],
  ["/cloudevents", "cloudevent"],
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const pathOf = (pathOrUrl: string) => (/^https?:/.test(pathOrUrl) ? new URL(pathOrUrl).pathname : pathOrUrl);
const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** A Block Kit text object: plain_text or mrkdwn, non-empty, at most `max` characters. */
function textObject(v: unknown, max: number, plainOnly = false): boolean {
  if (!isObject(v) || typeof v.text !== "string" || v.text.length === 0 || v.text.length > max) return false;
  return v.type === "plain_text" || (!plainOnly && v.type === "mrkdwn");
}

/** Why the blocks are not what Slack accepts (undefined when they are). Limits from Slack's Block Kit reference. */
export function blocksProblem(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return "blocks is not an array";
  if (blocks.length > 50) return `${blocks.length} blocks (at most 50)`;
  for (const [i, b] of blocks.entries()) {
    if (!isObject(b) || typeof b.type !== "string" || !BLOCK_TYPES.has(b.type))
      return `blocks[${i}]: unknown type`;
    if (b.block_id !== undefined && (typeof b.block_id !== "string" || b.block_id.length > 255))
      return `blocks[${i}].block_id`;
    const elements = Array.isArray(b.elements) ? b.elements : undefined;
    switch (b.type) {
      case "header":
        if (!textObject(b.text, 150, true))
          return `blocks[${i}]: a header's text is plain_text of 1-150 characters`;
        break;
      case "section": {
        const fields = b.fields;
        if (b.text === undefined && fields === undefined)
          return `blocks[${i}]: a section needs text or fields`;
        if (b.text !== undefined && !textObject(b.text, 3000)) return `blocks[${i}].text: 1-3000 characters`;
        if (fields !== undefined && (!Array.isArray(fields) || fields.length === 0 || fields.length > 10))
          return `blocks[${i}].fields: 1-10 items`;
        if (Array.isArray(fields) && !fields.every((f) => textObject(f, 2000)))
          return `blocks[${i}].fields: 2000 characters each`;
        break;
      }
      case "context":
        if (!elements || elements.length === 0 || elements.length > 10)
          return `blocks[${i}].elements: 1-10 items`;
        if (
          !elements.every(
            (e) =>
              textObject(e, 3000) || (isObject(e) && e.type === "image" && typeof e.alt_text === "string"),
          )
        )
          return `blocks[${i}].elements: text objects or images`;
        break;
      case "actions":
        if (!elements || elements.length === 0 || elements.length > 25)
          return `blocks[${i}].elements: 1-25 items`;
        if (!elements.every((e) => isObject(e) && typeof e.type === "string"))
          return `blocks[${i}].elements: each has a type`;
        break;
    }
  }
  return undefined;
}

/** Why the Teams message envelope holds no valid Adaptive Card (undefined when it does). */
export function teamsProblem(body: unknown, connector: boolean): string | undefined {
  if (connector && isObject(body) && body["@type"] === "MessageCard") return undefined;
  if (!isObject(body) || body.type !== "message") return 'the body is not {"type":"message", ...}';
  const attachments = body.attachments;
  if (!Array.isArray(attachments) || attachments.length === 0) return "attachments: at least one card";
  for (const [i, a] of attachments.entries()) {
    if (!isObject(a) || a.contentType !== ADAPTIVE) return `attachments[${i}].contentType is not ${ADAPTIVE}`;
    const card = a.content;
    if (!isObject(card) || card.type !== "AdaptiveCard")
      return `attachments[${i}].content.type is not AdaptiveCard`;
    if (typeof card.version !== "string" || !/^\d+\.\d+$/.test(card.version))
      return `attachments[${i}].content.version`;
    if (!Array.isArray(card.body) || !card.body.every((e) => isObject(e) && typeof e.type === "string"))
      return `attachments[${i}].content.body: elements each with a type`;
  }
  return undefined;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  message?: Omit<ReceivedMessage, "path" | "at" | "headers">;
}
const text = (status: number, body: string): Answer => ({
  status,
  headers: { "content-type": "text/plain" },
  body,
});
const json = (value: unknown): Answer => ({
  status: 200,
  headers: { "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify(value),
});

/** The JSON of a body sent as JSON or (Slack's legacy form) as `payload=` form data. */
function parseBody(raw: string, contentType: string): { ok: true; value: unknown } | { ok: false } {
  try {
    if (contentType.startsWith("application/x-www-form-urlencoded"))
      return { ok: true, value: JSON.parse(new URLSearchParams(raw).get("payload") ?? "") };
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

const hasContent = (m: Record<string, unknown>) =>
  (typeof m.text === "string" && m.text !== "") ||
  (Array.isArray(m.blocks) && m.blocks.length > 0) ||
  (Array.isArray(m.attachments) && m.attachments.length > 0);

function slackWebhook(raw: string, contentType: string): Answer {
  const parsed = parseBody(raw, contentType);
  if (!parsed.ok || !isObject(parsed.value)) return text(400, "invalid_payload");
  const m = parsed.value;
  if (m.blocks !== undefined && blocksProblem(m.blocks)) return text(400, "invalid_blocks");
  if (!hasContent(m)) return text(400, "no_text");
  return { ...text(200, "ok"), message: { kind: "slack-webhook", body: m } };
}

function chatPostMessage(
  raw: string,
  headers: IncomingHttpHeaders,
  opts: Required<NotifyReceiverOptions>,
  ts: string,
) {
  const contentType = headers["content-type"] ?? "";
  const form = contentType.startsWith("application/x-www-form-urlencoded");
  const params = form ? Object.fromEntries(new URLSearchParams(raw)) : undefined;
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1] ?? params?.token;
  if (bearer === undefined) return json({ ok: false, error: "not_authed" });
  if (bearer !== opts.slackToken) return json({ ok: false, error: "invalid_auth" });
  let m: unknown = params;
  if (!form) {
    const parsed = parseBody(raw, contentType);
    if (!parsed.ok) return json({ ok: false, error: "invalid_json" });
    m = parsed.value;
  }
  if (!isObject(m)) return json({ ok: false, error: "json_not_object" });
  const channel = m.channel;
  if (
    typeof channel !== "string" ||
    channel === "" ||
    (opts.slackChannels.length > 0 && !opts.slackChannels.includes(channel))
  )
    return json({ ok: false, error: "channel_not_found" });
  const problem = m.blocks === undefined ? undefined : blocksProblem(m.blocks);
  if (problem)
    return json({
      ok: false,
      error: "invalid_blocks",
      response_metadata: { messages: [`[ERROR] ${problem}`] },
    });
  if (!hasContent(m)) return json({ ok: false, error: "no_text" });
  return {
    ...json({ ok: true, channel, ts, message: { type: "message", text: m.text ?? "", ts } }),
    message: { kind: "slack-api", body: m },
  } satisfies Answer;
}

function teams(raw: string, connector: boolean): Answer {
  const parsed = parseBody(raw, "application/json");
  const problem = parsed.ok ? teamsProblem(parsed.value, connector) : "the body is not JSON";
  if (problem !== undefined || !parsed.ok) return text(400, `Bad Request: ${problem}`);
  const message = { kind: "teams" as const, body: parsed.value };
  return connector ? { ...text(200, "1"), message } : { status: 202, message };
}

/** CloudEvents attributes every event must carry (the SDK fills id, time and specversion when missing). */
const REQUIRED = ["id", "source", "specversion", "type"];

function cloudEvent(raw: string, headers: IncomingHttpHeaders): Answer {
  const contentType = headers["content-type"] ?? "";
  try {
    if (contentType.startsWith("application/cloudevents-batch+json"))
      return text(400, "batched mode is not accepted");
    const structured = contentType.startsWith("application/cloudevents+json");
    const attrs = structured ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const missing = REQUIRED.filter((a) =>
      structured ? attrs?.[a] === undefined : headers[`ce-${a}`] === undefined,
    );
    if (missing.length > 0) return text(400, `missing required attributes: ${missing.join(", ")}`);
    const version = structured ? attrs?.specversion : headers["ce-specversion"];
    if (version !== "1.0")
      return text(400, `specversion ${String(version)}: this receiver speaks CloudEvents 1.0`);
    const event = HTTP.toEvent({ headers, body: raw }) as CloudEvent<unknown>;
    event.validate();
    return { status: 202, message: { kind: "cloudevent", body: event.toJSON(), id: event.id } };
  } catch (err) {
    const detail = (err as { errors?: unknown }).errors;
    return text(
      400,
      `invalid CloudEvent: ${(err as Error).message}${detail ? ` ${JSON.stringify(detail)}` : ""}`,
    );
  }
}

const matches = (m: ReceivedMessage, f?: MessageFilter) =>
  !f ||
  (typeof f === "function"
    ? f(m)
    : (!f.kind || m.kind === f.kind) && (!f.path || under(m.path, pathOf(f.path))));

export async function startNotifyReceiver(options: NotifyReceiverOptions = {}): Promise<NotifyReceiver> {
  const opts: Required<NotifyReceiverOptions> = {
    port: options.port ?? 0,
    slackToken: options.slackToken ?? "xoxb-test",
    slackChannels: options.slackChannels ?? [],
    teams: options.teams ?? "workflows",
  };
  const received: ReceivedMessage[] = [];
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<(m: ReceivedMessage) => void>();
  const scripted: { path: string; response: ScriptedResponse; left: number }[] = [];
  const hangs: { path: string; ms: number; left: number }[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;

  const take = <T extends { path: string; left: number }>(list: T[], path: string): T | undefined => {
    const rule = list.find((r) => under(path, r.path) && r.left > 0);
    if (rule) rule.left -= 1;
    return rule;
  };

  /** Process mode's remote control (a test in another process scripts failures and reads messages). */
  function control(path: string, method: string, raw: string): Answer {
    if (method === "GET" && path === "/_receiver/messages") return json(received);
    if (method === "GET" && path === "/_receiver/requests") return json(requests);
    const parsed = parseBody(raw, "application/json");
    const a = parsed.ok && isObject(parsed.value) ? parsed.value : {};
    const times = typeof a.times === "number" ? a.times : undefined;
    if (method !== "POST") return text(404, "not_found");
    if (typeof a.path !== "string") return text(400, "bad_request");
    if (path === "/_receiver/respondWith" && isObject(a.response) && typeof a.response.status === "number")
      receiver.respondWith(a.path, a.response as unknown as ScriptedResponse, times);
    else if (path === "/_receiver/hang" && typeof a.ms === "number") receiver.hang(a.path, a.ms, times);
    else return text(400, "bad_request");
    return { status: 204 };
  }

  function route(path: string, method: string, raw: string, headers: IncomingHttpHeaders): Answer {
    if (under(path, "/_receiver")) return control(path, method, raw);
    const kind = ROUTES.find(([prefix]) => under(path, prefix))?.[1];
    if (!kind) return text(404, "not_found");
    if (method !== "POST") return { ...text(405, "method_not_allowed"), headers: { allow: "POST" } };
    switch (kind) {
      case "slack-webhook":
        return slackWebhook(raw, headers["content-type"] ?? "");
      case "slack-api": {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, "0")}`;
        return chatPostMessage(raw, headers, opts, ts);
      }
      case "teams":
        return teams(raw, opts.teams === "connector");
      case "cloudevent":
        return cloudEvent(raw, headers);
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string, at: number): void {
    const path = new URL(req.url ?? "/", "http://receiver").pathname;
    const method = req.method ?? "GET";
    const script = take(scripted, path);
    const answer: Answer = script
      ? { ...script.response }
      : raw.length > MAX_BODY
        ? text(413, "request_too_large")
        : route(path, method, raw, req.headers);
    if (!under(path, "/_receiver")) requests.push({ method, path, at, status: answer.status });
    if (answer.message) {
      const message: ReceivedMessage = { path, at, headers: req.headers, ...answer.message };
      received.push(message);
      for (const w of waiters) w(message);
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url ?? "/", "http://receiver").pathname;
      const wait = take(hangs, path);
      if (!wait || wait.ms <= 0) return handle(req, res, raw, at);
      const timer = setTimeout(() => {
        timers.delete(timer);
        handle(req, res, raw, at);
      }, wait.ms);
      timers.add(timer);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  const port = await listen(opts.port);
  const url = `http://127.0.0.1:${port}`;
  const receiver: NotifyReceiver = {
    url,
    slackWebhookUrl: `${url}/slack/webhook/T0000/B0000/receiver`,
    slackApiUrl: `${url}/slack/api`,
    teamsUrl: `${url}/teams/workflows/receiver`,
    cloudEventsUrl: `${url}/cloudevents`,
    messages: (filter) => received.filter((m) => matches(m, filter)),
    requests: (path) => requests.filter((r) => path === undefined || under(r.path, pathOf(path))),
    waitFor(filter, timeoutMs = 5000) {
      const found = received.find((m) => matches(m, filter));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = received.map((m) => `${m.kind} ${m.path}`).join("; ") || "none";
          reject(new Error(`no matching message within ${timeoutMs} ms (received: ${seen})`));
        }, timeoutMs);
        const waiter = (m: ReceivedMessage) => {
          if (!matches(m, filter)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(m);
        };
        waiters.add(waiter);
      });
    },
    respondWith(path, response, times = 1) {
      scripted.push({ path: pathOf(path), response, left: times });
    },
    hang(path, ms, times = Number.POSITIVE_INFINITY) {
      const p = pathOf(path);
      for (const h of hangs) if (h.path === p) h.left = 0;
      if (ms > 0) hangs.push({ path: p, ms, left: times });
    },
    down: stop,
    up: async () => {
      if (!server.listening) await listen(port);
    },
    close: stop,
  };
  return receiver;
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const token = arg("slack-token");
  const receiver = await startNotifyReceiver({
    port: Number(arg("port") ?? 0),
    ...(token ? { slackToken: token } : {}),
    ...(arg("teams") === "connector" ? { teams: "connector" as const } : {}),
  });
  const { url, slackWebhookUrl, slackApiUrl, teamsUrl, cloudEventsUrl } = receiver;
  process.stdout.write(
    `${JSON.stringify({ url, slackWebhookUrl, slackApiUrl, teamsUrl, cloudEventsUrl })}\n`,
  );
  process.on("SIGTERM", () => void receiver.close().then(() => process.exit(0)));
}
