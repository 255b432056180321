// The notification receiver the notify tests send to: each contract accepts what its docs accept and
// refuses the rest the way the real service does, and the scripted failures (429, hang, down) behave.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { CloudEvent, HTTP } from "cloudevents";
import { type NotifyReceiver, startNotifyReceiver } from "../../support/notify-receiver.ts";

let r: NotifyReceiver;
before(async () => {
  r = await startNotifyReceiver({ slackToken: "xoxb-good" });
});
after(() => r.close());

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text(), res };
}

const header = (text: string) => ({ type: "header", text: { type: "plain_text", text } });
const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
const field = (text: string) => ({ type: "mrkdwn", text });
const GOOD_BLOCKS = [
  header("web: paused at step 2"),
  section("*web* in `shop` waits for a person"),
  { type: "section", fields: [field("*Version*\nweb:1.4.2"), field("*Weight*\n20%")] },
  {
    type: "context",
    elements: [field("ramp"), { type: "image", image_url: "https://x/y.png", alt_text: "ramp" }],
  },
  {
    type: "actions",
    elements: [{ type: "button", text: { type: "plain_text", text: "Open" }, url: "https://x" }],
  },
  { type: "divider" },
];

describe("notify receiver: Slack incoming webhook", () => {
  test("text or blocks: 200 `ok` as text/plain, recorded", async () => {
    const before = r.messages({ kind: "slack-webhook" }).length;
    const a = await post(r.slackWebhookUrl, { text: "web is healthy" });
    assert.deepEqual([a.status, a.type, a.text], [200, "text/plain", "ok"]);
    const b = await post(r.slackWebhookUrl, { text: "fallback", blocks: GOOD_BLOCKS });
    assert.equal(b.text, "ok");
    const form = await fetch(r.slackWebhookUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ payload: JSON.stringify({ text: "legacy form" }) }),
    });
    assert.equal(await form.text(), "ok");
    const got = r.messages({ kind: "slack-webhook" }).slice(before);
    assert.deepEqual(
      got.map((m) => (m.body as { text: string }).text),
      ["web is healthy", "fallback", "legacy form"],
    );
    assert.equal(got[0]?.headers["content-type"], "application/json");
  });

  const refused: [string, unknown, string][] = [
    ["not JSON", "{text:", "invalid_payload"],
    ["a JSON array", "[]", "invalid_payload"],
    ["neither text nor blocks", { username: "ramp" }, "no_text"],
    ["empty text", { text: "" }, "no_text"],
    ["an unknown block type", { blocks: [{ type: "headline", text: "x" }] }, "invalid_blocks"],
    [
      "a mrkdwn header",
      { blocks: [{ type: "header", text: { type: "mrkdwn", text: "x" } }] },
      "invalid_blocks",
    ],
    ["a header of 151 characters", { blocks: [header("h".repeat(151))] }, "invalid_blocks"],
    ["a section of 3001 characters", { blocks: [section("s".repeat(3001))] }, "invalid_blocks"],
    [
      "a section of 11 fields",
      { blocks: [{ type: "section", fields: Array.from({ length: 11 }, () => field("f")) }] },
      "invalid_blocks",
    ],
    ["a section with neither text nor fields", { blocks: [{ type: "section" }] }, "invalid_blocks"],
    ["51 blocks", { blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) }, "invalid_blocks"],
    ["blocks not an array", { blocks: { type: "divider" } }, "invalid_blocks"],
  ];
  for (const [what, body, error] of refused)
    test(`${what}: 400 ${error}, not recorded`, async () => {
      const before = r.messages().length;
      const res = await post(r.slackWebhookUrl, body);
      assert.deepEqual([res.status, res.text], [400, error]);
      assert.equal(r.messages().length, before);
    });

  test("the limits themselves pass: a 150-character header, 3000 in a section, 10 fields, 50 blocks", async () => {
    const blocks = [
      header("h".repeat(150)),
      section("s".repeat(3000)),
      { type: "section", fields: Array.from({ length: 10 }, () => field("f")) },
      ...Array.from({ length: 47 }, () => ({ type: "divider" })),
    ];
    assert.equal((await post(r.slackWebhookUrl, { blocks })).status, 200);
  });
});

describe("notify receiver: Slack chat.postMessage", () => {
  const api = () => `${r.slackApiUrl}/chat.postMessage`;
  const call = async (body: unknown, token?: string) => {
    const res = await post(api(), body, token ? { authorization: `Bearer ${token}` } : {});
    assert.equal(res.status, 200, "the Web API answers 200 whatever the outcome");
    return JSON.parse(res.text) as { ok: boolean; error?: string; channel?: string; ts?: string };
  };

  test("the configured bearer token and a channel: ok with channel and ts, recorded", async () => {
    const a = await call({ channel: "#deploys", text: "web paused", blocks: GOOD_BLOCKS }, "xoxb-good");
    const b = await call({ channel: "C0123", text: "again" }, "xoxb-good");
    assert.equal(a.ok, true);
    assert.equal(a.channel, "#deploys");
    assert.match(a.ts ?? "", /^\d+\.\d{6}$/);
    assert.notEqual(a.ts, b.ts);
    const m = await r.waitFor(
      (m) => m.kind === "slack-api" && (m.body as { text: string }).text === "web paused",
    );
    assert.equal(m.headers.authorization, "Bearer xoxb-good");
  });

  test("refusals, as Slack names them", async () => {
    const before = r.messages().length;
    assert.deepEqual(await call({ channel: "#d", text: "x" }), { ok: false, error: "not_authed" });
    assert.deepEqual(await call({ channel: "#d", text: "x" }, "xoxb-bad"), {
      ok: false,
      error: "invalid_auth",
    });
    assert.deepEqual(await call({ text: "x" }, "xoxb-good"), { ok: false, error: "channel_not_found" });
    assert.deepEqual(await call({ channel: "#d" }, "xoxb-good"), { ok: false, error: "no_text" });
    assert.deepEqual(await call("{", "xoxb-good"), { ok: false, error: "invalid_json" });
    assert.deepEqual(await call({ channel: "#d", blocks: [{ type: "x" }] }, "xoxb-good"), {
      ok: false,
      error: "invalid_blocks",
      response_metadata: { messages: ["[ERROR] blocks[0]: unknown type"] },
    });
    assert.equal(r.messages().length, before);
  });

  test("with slackChannels, an unknown channel is channel_not_found", async () => {
    const only = await startNotifyReceiver({ slackChannels: ["#deploys"] });
    try {
      const res = await post(
        `${only.slackApiUrl}/chat.postMessage`,
        { channel: "#other", text: "x" },
        {
          authorization: "Bearer xoxb-test",
        },
      );
      assert.deepEqual(JSON.parse(res.text), { ok: false, error: "channel_not_found" });
    } finally {
      await only.close();
    }
  });
});

const card = (content: Record<string, unknown>) => ({
  type: "message",
  attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content }],
});
const GOOD_CARD = card({
  type: "AdaptiveCard",
  version: "1.4",
  body: [{ type: "TextBlock", text: "web is healthy", wrap: true }],
});

describe("notify receiver: Microsoft Teams webhook", () => {
  test("an Adaptive Card in a message envelope: 202 (Workflows), recorded", async () => {
    const res = await post(r.teamsUrl, GOOD_CARD);
    assert.deepEqual([res.status, res.text], [202, ""]);
    await r.waitFor({ kind: "teams", path: r.teamsUrl });
  });

  const bad: [string, unknown][] = [
    ["not JSON", "<card/>"],
    ["no message envelope", { type: "AdaptiveCard", version: "1.4", body: [] }],
    ["no attachments", { type: "message", attachments: [] }],
    [
      "a hero card",
      { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.hero" }] },
    ],
    ["content not an AdaptiveCard", card({ type: "Card", version: "1.4", body: [] })],
    ["no version", card({ type: "AdaptiveCard", body: [] })],
    ["a body element without a type", card({ type: "AdaptiveCard", version: "1.4", body: [{ text: "x" }] })],
    ["a connector MessageCard (Workflows takes Adaptive Cards only)", { "@type": "MessageCard", text: "x" }],
  ];
  for (const [what, body] of bad)
    test(`${what}: 400`, async () => {
      const before = r.messages().length;
      assert.equal((await post(r.teamsUrl, body)).status, 400);
      assert.equal(r.messages().length, before);
    });

  test("as an Office 365 connector: 200 `1`, and a MessageCard is accepted", async () => {
    const connector = await startNotifyReceiver({ teams: "connector" });
    try {
      assert.deepEqual((await post(connector.teamsUrl, GOOD_CARD)).text, "1");
      assert.equal((await post(connector.teamsUrl, { "@type": "MessageCard", text: "x" })).status, 200);
      assert.equal(connector.messages({ kind: "teams" }).length, 2);
    } finally {
      await connector.close();
    }
  });
});

describe("notify receiver: CloudEvents 1.0", () => {
  const event = (id: string) =>
    new CloudEvent({
      id,
      type: "dev.ramp.rollout.paused",
      source: "/apis/ramp.dev/namespaces/shop/rollouts/web",
      data: { step: 2 },
    });
  const send = async (message: { headers: Record<string, unknown>; body: unknown }) =>
    post(r.cloudEventsUrl, message.body as string, message.headers as Record<string, string>);

  test("structured and binary events built by the SDK: 202, recorded with their id", async () => {
    const s = HTTP.structured(event("e-structured"));
    assert.match(String(s.headers["content-type"]), /^application\/cloudevents\+json/);
    assert.equal((await send(s)).status, 202);
    assert.equal((await send(HTTP.binary(event("e-binary")))).status, 202);
    const got = await r.waitFor((m) => m.id === "e-structured");
    assert.equal(got.kind, "cloudevent");
    assert.deepEqual((got.body as { data: unknown }).data, { step: 2 });
    assert.equal((got.body as { type: string }).type, "dev.ramp.rollout.paused");
    assert.equal((await r.waitFor((m) => m.id === "e-binary")).path, "/cloudevents");
  });

  const structured = (attrs: Record<string, unknown>) =>
    post(r.cloudEventsUrl, attrs, { "content-type": "application/cloudevents+json" });
  const valid = { specversion: "1.0", id: "x1", source: "/ramp", type: "dev.ramp.rollout.healthy" };

  test("what the spec or the SDK's validate() refuses: 400, not recorded", async () => {
    const before = r.messages().length;
    const { source: _s, ...noSource } = valid;
    const { id: _i, ...noId } = valid;
    for (const attrs of [noSource, noId, { ...valid, type: "" }, { ...valid, specversion: "0.1" }]) {
      const res = await structured(attrs);
      assert.equal(res.status, 400, `${JSON.stringify(attrs)}: ${res.text}`);
    }
    assert.match((await structured(noSource)).text, /missing required attributes: source/);
    assert.equal(
      (await post(r.cloudEventsUrl, { hello: "world" })).status,
      400,
      "plain JSON is no CloudEvent",
    );
    assert.equal(
      (await post(r.cloudEventsUrl, "{", { "content-type": "application/cloudevents+json" })).status,
      400,
    );
    assert.equal(r.messages().length, before);
    assert.equal((await structured(valid)).status, 202);
  });
});

describe("notify receiver: scripted failures", () => {
  test("respondWith: 429 with Retry-After for one request, then the contract again", async () => {
    const path = "/slack/webhook/T1/B1/limited";
    r.respondWith(`${r.url}${path}`, { status: 429, headers: { "retry-after": "2" }, body: "rate_limited" });
    const first = await post(`${r.url}${path}`, { text: "one" });
    assert.deepEqual(
      [first.status, first.res.headers.get("retry-after"), first.text],
      [429, "2", "rate_limited"],
    );
    assert.equal((await post(`${r.url}${path}`, { text: "two" })).status, 200);
    assert.deepEqual(
      r.requests(path).map((q) => q.status),
      [429, 200],
    );
    assert.deepEqual(
      r.messages({ path }).map((m) => (m.body as { text: string }).text),
      ["two"],
      "the refused one is not a message",
    );
  });

  test("respondWith for N requests", async () => {
    r.respondWith("/cloudevents/flaky", { status: 503 }, 2);
    const send = () => post(`${r.url}/cloudevents/flaky`, HTTP.structured(event()).body as string, ce);
    const ce = { "content-type": "application/cloudevents+json" };
    const event = () => new CloudEvent({ type: "t", source: "/s" });
    assert.deepEqual([(await send()).status, (await send()).status, (await send()).status], [503, 503, 202]);
  });

  test("hang: the answer waits; a client that gives up sees a timeout; hang(path, 0) ends it", async () => {
    const path = "/teams/slow";
    r.hang(path, 300);
    const t0 = Date.now();
    assert.equal((await post(`${r.url}${path}`, GOOD_CARD)).status, 202);
    assert.ok(Date.now() - t0 >= 280, `answered after ${Date.now() - t0} ms`);
    await assert.rejects(
      fetch(`${r.url}${path}`, {
        method: "POST",
        body: JSON.stringify(GOOD_CARD),
        signal: AbortSignal.timeout(50),
      }),
      { name: "TimeoutError" },
    );
    r.hang(path, 0);
    const t1 = Date.now();
    assert.equal((await post(`${r.url}${path}`, GOOD_CARD)).status, 202);
    assert.ok(Date.now() - t1 < 250);
  });

  test("down refuses connections; up listens on the same port again", async () => {
    const probe = await startNotifyReceiver();
    try {
      assert.equal((await post(probe.slackWebhookUrl, { text: "before" })).status, 200);
      await probe.down();
      await assert.rejects(post(probe.slackWebhookUrl, { text: "while down" }), (err: Error) => {
        assert.equal((err.cause as { code?: string }).code, "ECONNREFUSED");
        return true;
      });
      await probe.up();
      assert.equal((await post(probe.slackWebhookUrl, { text: "after" })).status, 200);
      assert.deepEqual(
        probe.messages().map((m) => (m.body as { text: string }).text),
        ["before", "after"],
      );
    } finally {
      await probe.close();
    }
  });

  test("waitFor resolves on a message still to come and rejects when none comes", async () => {
    const waiting = r.waitFor((m) => (m.body as { text?: string }).text === "later", 2000);
    setTimeout(() => void post(r.slackWebhookUrl, { text: "later" }), 50);
    assert.equal((await waiting).kind, "slack-webhook");
    await assert.rejects(r.waitFor({ path: "/teams/never" }, 100), /no matching message within 100 ms/);
  });

  test("unknown paths are 404 and only POST is accepted", async () => {
    assert.equal((await post(`${r.url}/nowhere`, { text: "x" })).status, 404);
    assert.equal((await fetch(r.slackWebhookUrl)).status, 405);
  });
});

describe("notify receiver: as its own process", () => {
  test("prints its URLs as JSON, serves, is scripted and read over /_receiver/, and dies when killed", async () => {
    const child = spawn(process.execPath, ["test/support/notify-receiver.ts", "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [line] = (await once(child.stdout, "data")) as [Buffer];
      const urls = JSON.parse(line.toString()) as {
        url: string;
        slackWebhookUrl: string;
        cloudEventsUrl: string;
      };
      assert.match(urls.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const control = (verb: string, args: unknown) => post(`${urls.url}/_receiver/${verb}`, args);
      assert.equal(
        (await control("respondWith", { path: urls.slackWebhookUrl, response: { status: 429 } })).status,
        204,
      );
      assert.equal((await post(urls.slackWebhookUrl, { text: "limited" })).status, 429);
      assert.equal((await post(urls.slackWebhookUrl, { text: "from the test" })).status, 200);
      const listed = (await (await fetch(`${urls.url}/_receiver/messages`)).json()) as {
        body: { text: string };
      }[];
      assert.deepEqual(
        listed.map((m) => m.body.text),
        ["from the test"],
      );
      const requests = (await (await fetch(`${urls.url}/_receiver/requests`)).json()) as { status: number }[];
      assert.deepEqual(
        requests.map((q) => q.status),
        [429, 200],
      );
    } finally {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  });
});
