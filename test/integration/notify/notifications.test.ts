// Notifications end to end on the real control plane: Slack (webhook and bot token), Teams and CloudEvents
// receivers on loopback (test/support/notify-receiver.ts) get each message once, with what a person needs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import {
  type NotifyReceiver,
  type ReceivedMessage,
  startNotifyReceiver,
} from "../../support/notify-receiver.ts";

const TOKEN = "xoxb-secret-token-1234";

/** An HTTP endpoint a web metric reads: {"ok": <verdict>}; the test flips it to fail a version. */
async function metricServer(): Promise<{ url: string; set(ok: boolean): void; close(): Promise<void> }> {
  let ok = true;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/metric.json`,
    set: (v) => {
      ok = v;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function apply(namespace: string, yaml: string): Promise<void> {
  const res = await kubectl(["apply", "-n", namespace, "-f", "-"], { input: yaml });
  assert.equal(res.code, 0, res.stderr);
}

/** "event:image" of a message, read from what each destination shows a person. */
function eventOf(m: ReceivedMessage): string {
  if (m.kind === "cloudevent") {
    const data = (m.body as { data?: { event?: string; version?: string } }).data;
    return `${data?.event}:${data?.version?.replace(/^app=/, "")}`;
  }
  const text = JSON.stringify(m.body);
  const event = /is paused/.test(text)
    ? "paused"
    : /fully promoted and healthy/.test(text)
      ? "healthy"
      : /was aborted/.test(text)
        ? "aborted"
        : "other";
  const image = /app=(app:\d)/.exec(text)?.[1];
  return `${event}:${image}`;
}

describe("notifications", () => {
  let f: Fixture;
  let rx: NotifyReceiver;
  let metric: Awaited<ReturnType<typeof metricServer>>;
  const cluster = `ramp-test-${process.pid}`;

  before(async () => {
    f = await Fixture.create("notify");
    rx = await startNotifyReceiver({ slackToken: TOKEN });
    metric = await metricServer();
    const ns = f.namespace;
    await apply(
      ns,
      `
apiVersion: v1
kind: Secret
metadata: {name: chat}
stringData:
  slack: ${rx.slackWebhookUrl}
  teams: ${rx.teamsUrl}
  token: ${TOKEN}
  auth: Bearer ce-secret-value
---
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: slack}
spec:
  selector: {matchLabels: {team: shop}}
  slack: {webhookURL: {name: chat, key: slack}}
  templates:
    paused: {title: "{{rollout}} waits for you at {{step}}"}
---
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: teams}
spec:
  selector: {matchLabels: {team: shop}}
  events: [aborted]
  msteams: {webhookURL: {name: chat, key: teams}}
---
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: slack-bot}
spec:
  slack: {token: {name: chat, key: token}, channel: "#general", apiURL: "${rx.slackApiUrl}"}
`,
    );
    await apply(
      ns,
      `
apiVersion: ramp.dev/v1alpha1
kind: ClusterNotifier
metadata: {name: ${cluster}}
spec:
  selector: {matchExpressions: [{key: team, operator: In, values: [shop]}]}
  webhook:
    url: ${rx.cloudEventsUrl}
    headers:
      - {name: Authorization, valueFrom: {secretKeyRef: {namespace: ${ns}, name: chat, key: auth}}}
      - {name: X-Team, value: shop}
`,
    );
    await f.startController({ args: ["--dashboard-url", "https://ramp.example.com"] });
  });
  after(async () => {
    await kubectl(["delete", "clusternotifier.ramp.dev", cluster, "--ignore-not-found"]);
    await f?.cleanup();
    await rx?.close();
    await metric?.close();
  });

  test("pause, promote, ship, then a bad version that aborts: each message once per destination, saying what to do", async () => {
    const vars = {
      NAME: "shop",
      TEAM: "shop",
      PAUSE: "{}",
      METRIC_URL: metric.url,
      ANNOTATIONS: [
        `notifications.ramp.dev/subscribe.aborted.slack-bot: "#deploys"`,
        `notifications.ramp.dev/subscribe.paused.slack-bot: ""`,
      ].join("\n    "),
    };
    await f.applyFixture("notify/rollout.yaml", { ...vars, IMAGE: "app:1" });
    await f.waitHealthy("shop");
    await f.setImage("shop", "app:2");
    await f.waitStatus("shop", "paused for promote", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    await waitFor(async () => rx.messages((m) => eventOf(m) === "paused:app:2").length >= 3 || undefined, {
      what: "the paused message at Slack (webhook and bot) and the CloudEvents receiver",
      timeoutMs: 20_000,
    });
    await f.actions.promote("shop");
    await f.waitHealthy("shop", 60_000);

    metric.set(false);
    await f.setImage("shop", "app:3");
    await f.waitStatus("shop", "paused for promote", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    await f.actions.promote("shop");
    const aborted = await f.waitStatus(
      "shop",
      "aborted by analysis",
      (s) => s.abort?.reason === "AnalysisFailed",
    );
    await waitFor(async () => rx.messages((m) => eventOf(m) === "aborted:app:3").length >= 4 || undefined, {
      what: "the aborted message at all four destinations",
      timeoutMs: 30_000,
    });
    // Late duplicates would arrive now, if any.
    await new Promise((r) => setTimeout(r, 3000));

    const expected = ["healthy:app:1", "paused:app:2", "healthy:app:2", "paused:app:3", "aborted:app:3"];
    for (const kind of ["slack-webhook", "cloudevent"] as const) {
      const got = rx.messages({ kind }).map(eventOf);
      assert.deepEqual(got, expected, `${kind}: every message once, in order`);
    }
    // Teams asks for aborted only (spec.events).
    assert.deepEqual(rx.messages({ kind: "teams" }).map(eventOf), ["aborted:app:3"]);
    // The bot-token Notifier has no selector: the annotations subscribe to paused (on its own channel)
    // and aborted (on the channel the annotation names).
    const bot = rx.messages({ kind: "slack-api" });
    assert.deepEqual(bot.map(eventOf), ["paused:app:2", "paused:app:3", "aborted:app:3"]);
    const channels = bot.map((m) => (m.body as { channel?: string } | undefined)?.channel);
    assert.deepEqual(channels, ["#general", "#general", "#deploys"]);
    assert.equal(bot[0]?.headers.authorization, `Bearer ${TOKEN}`);

    // What a person needs: the command at a pause, the full reason at an abort, the duration when live.
    const slack = rx.messages({ kind: "slack-webhook" });
    const text = (i: number) => JSON.stringify(slack[i]?.body);
    assert.match(text(1), new RegExp(`kubectl ramp promote shop -n ${f.namespace}`));
    assert.match(text(1), /shop waits for you at 2\/5/, "the Notifier's template for paused");
    assert.doesNotMatch(text(0), /waits for you/, "and only for paused");
    assert.match(text(1), /step 2\/5/);
    assert.match(text(1), /weight 20%/);
    assert.match(text(1), new RegExp(`https://ramp.example.com/rollouts/${f.namespace}/shop`));
    assert.match(text(2), /after its first step/);
    assert.match(text(4), /AnalysisFailed/);
    assert.match(text(4), /error-check/, "the abort names the metric");
    assert.ok(aborted.abort?.message && text(4).includes("error-check"));

    const ce = rx.messages({ kind: "cloudevent" });
    const types = ce.map((m) => (m.body as { type?: string }).type);
    assert.deepEqual(types, [
      "dev.ramp.rollout.healthy",
      "dev.ramp.rollout.paused",
      "dev.ramp.rollout.healthy",
      "dev.ramp.rollout.paused",
      "dev.ramp.rollout.aborted",
    ]);
    assert.equal(new Set(ce.map((m) => m.id)).size, 5, "ids are unique");
    assert.equal(ce[0]?.headers.authorization, "Bearer ce-secret-value", "a header from a Secret");
    assert.equal(ce[0]?.headers["x-team"], "shop", "a header's value");
    assert.match(
      String((ce[4]?.body as { source?: string } | undefined)?.source),
      new RegExp(`/namespaces/${f.namespace}/rollouts/shop$`),
    );

    // Delivered messages leave the ledger: nothing is owed once they are in.
    await f.waitStatus("shop", "ledger emptied", (s) => !s.notifications?.pending?.length);
    assert.equal((await f.rollout("shop")).status?.notifications?.seq, 5, "one sequence number per event");

    // Secrets never leave the Secret: not in the controller's log, the Events or the status.
    const log = readFileSync(f.controllers[0]?.logFile ?? "", "utf8");
    const events = (await kubectl(["get", "events", "-n", f.namespace, "-o", "json"])).stdout;
    const status = JSON.stringify((await f.rollout("shop")).status);
    for (const secret of [TOKEN, "ce-secret-value", rx.slackWebhookUrl, rx.teamsUrl])
      for (const [where, text] of [
        ["log", log],
        ["Events", events],
        ["status", status],
      ] as const)
        assert.ok(!text.includes(secret), `${where} shows ${secret}`);
  });

  test("Git goes back to the stable version after the abort: rolledBack, once, about the version live again", async () => {
    const before = rx.messages({ kind: "cloudevent" }).length;
    await f.setImage("shop", "app:2");
    await f.waitHealthy("shop");
    const m = await rx.waitFor(
      (x) => x.kind === "cloudevent" && (x.body as { type?: string }).type === "dev.ramp.rollout.rolledback",
      15_000,
    );
    assert.match(JSON.stringify(m.body), /app=app:2/);
    await new Promise((r) => setTimeout(r, 2000));
    const after = rx.messages({ kind: "cloudevent" }).slice(before).map(eventOf);
    assert.deepEqual(after, ["rolledBack:app:2"], "rolled back, and not also healthy");
  });
});
