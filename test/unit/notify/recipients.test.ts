// Who is owed an event: Notifiers whose selector matches the Rollout's labels (for the events they ask for),
// and the notifications.ramp.dev/subscribe.<event>.<notifier> annotations.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_EVENTS, NOTIFY_EVENTS, type NotifyEventName } from "../../../src/api/index.ts";
import {
  type NotifierView,
  parseRecipient,
  recipientOf,
  recipients,
  SUBSCRIBE_PREFIX,
  subscriptions,
} from "../../../src/notify/recipients.ts";

const LABELS = { app: "web", team: "shop", tier: "frontend" };
const sub = (event: string, notifier: string) => `${SUBSCRIBE_PREFIX}${event}.${notifier}`;

const notifier = (
  name: string,
  spec: NotifierView["spec"] = {},
  kind: NotifierView["kind"] = "Notifier",
): NotifierView => ({ kind, name, spec });

type SelectorRow = { name: string; selector: NonNullable<NotifierView["spec"]["selector"]>; match: boolean };
const SELECTORS: SelectorRow[] = [
  { name: "{} matches every Rollout", selector: {}, match: true },
  { name: "matchLabels, all equal", selector: { matchLabels: { app: "web", team: "shop" } }, match: true },
  { name: "matchLabels, one differs", selector: { matchLabels: { app: "web", team: "pay" } }, match: false },
  { name: "matchLabels, a label it lacks", selector: { matchLabels: { env: "prod" } }, match: false },
  {
    name: "In, value listed",
    selector: { matchExpressions: [{ key: "tier", operator: "In", values: ["frontend", "edge"] }] },
    match: true,
  },
  {
    name: "In, value not listed",
    selector: { matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] },
    match: false,
  },
  {
    name: "NotIn, value listed",
    selector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["shop"] }] },
    match: false,
  },
  {
    name: "NotIn, label absent",
    selector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] },
    match: true,
  },
  { name: "Exists", selector: { matchExpressions: [{ key: "team", operator: "Exists" }] }, match: true },
  {
    name: "Exists, absent",
    selector: { matchExpressions: [{ key: "env", operator: "Exists" }] },
    match: false,
  },
  {
    name: "DoesNotExist, present",
    selector: { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] },
    match: false,
  },
  {
    name: "matchLabels and matchExpressions both must hold",
    selector: {
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "env", operator: "DoesNotExist" },
        { key: "tier", operator: "In", values: ["edge"] },
      ],
    },
    match: false,
  },
];

describe("recipients: Notifiers by selector", () => {
  for (const row of SELECTORS) {
    test(`${row.name} → ${row.match ? "notified" : "not notified"}`, () => {
      const got = recipients({ labels: LABELS }, "paused", [notifier("slack", { selector: row.selector })]);
      assert.deepEqual(got, row.match ? ["Notifier/slack"] : []);
    });
  }

  test("no selector: only subscriptions reach it, never a label match", () => {
    assert.deepEqual(recipients({ labels: LABELS }, "paused", [notifier("slack")]), []);
  });

  test("a Rollout without labels is matched by {} and by DoesNotExist, not by matchLabels", () => {
    const ns = [
      notifier("all", { selector: {} }),
      notifier("no-env", { selector: { matchExpressions: [{ key: "env", operator: "DoesNotExist" }] } }),
      notifier("web", { selector: { matchLabels: { app: "web" } } }),
    ];
    assert.deepEqual(recipients({}, "aborted", ns), ["Notifier/all", "Notifier/no-env"]);
  });

  test("without events, every event but stepStarted", () => {
    assert.deepEqual(
      DEFAULT_EVENTS,
      NOTIFY_EVENTS.filter((e) => e !== "stepStarted"),
    );
    const ns = [notifier("slack", { selector: {} })];
    for (const event of NOTIFY_EVENTS)
      assert.deepEqual(
        recipients({ labels: LABELS }, event, ns),
        event === "stepStarted" ? [] : ["Notifier/slack"],
        event,
      );
  });

  test("events lists exactly what it is sent (stepStarted included when asked for)", () => {
    const events: NotifyEventName[] = ["stepStarted", "aborted"];
    const ns = [notifier("slack", { selector: {}, events })];
    for (const event of NOTIFY_EVENTS)
      assert.deepEqual(
        recipients({ labels: LABELS }, event, ns),
        events.includes(event) ? ["Notifier/slack"] : [],
        event,
      );
  });

  test("Notifiers and ClusterNotifiers together, sorted", () => {
    const ns = [
      notifier("teams", { selector: {} }, "ClusterNotifier"),
      notifier("slack", { selector: {} }),
      notifier("audit", { selector: {} }, "ClusterNotifier"),
    ];
    assert.deepEqual(recipients({ labels: LABELS }, "healthy", ns), [
      "ClusterNotifier/audit",
      "ClusterNotifier/teams",
      "Notifier/slack",
    ]);
  });
});

describe("recipients: subscriptions by annotation", () => {
  test("a subscription reaches a namespace Notifier, whatever its events say", () => {
    const annotations = { [sub("stepStarted", "slack")]: "" };
    const ns = [notifier("slack", { events: ["aborted"] })];
    assert.deepEqual(recipients({ labels: LABELS, annotations }, "stepStarted", ns), ["Notifier/slack"]);
    assert.deepEqual(recipients({ labels: LABELS, annotations }, "paused", ns), []);
  });

  test("the namespace's Notifier is preferred to a ClusterNotifier of the same name", () => {
    const annotations = { [sub("paused", "slack")]: "" };
    const both = [notifier("slack", {}, "ClusterNotifier"), notifier("slack")];
    assert.deepEqual(recipients({ annotations }, "paused", both), ["Notifier/slack"]);
  });

  test("without a namespace Notifier of that name, the ClusterNotifier", () => {
    const annotations = { [sub("paused", "slack")]: "" };
    const ns = [notifier("slack", {}, "ClusterNotifier"), notifier("teams")];
    assert.deepEqual(recipients({ annotations }, "paused", ns), ["ClusterNotifier/slack"]);
  });

  test("a subscription to a Notifier that does not exist reaches nobody", () => {
    const annotations = { [sub("paused", "gone")]: "#deploys" };
    assert.deepEqual(recipients({ annotations }, "paused", [notifier("slack")]), []);
  });

  test("the annotation's value is the channel, carried as #channel (trimmed; a # of its own kept)", () => {
    const ns = [notifier("slack"), notifier("bot", {}, "ClusterNotifier")];
    const annotations = { [sub("paused", "slack")]: " C0123456 ", [sub("paused", "bot")]: "#deploys" };
    assert.deepEqual(recipients({ annotations }, "paused", ns), [
      "ClusterNotifier/bot##deploys",
      "Notifier/slack#C0123456",
    ]);
  });

  test("a Notifier matched by selector and subscribed is owed once, with the subscription's channel", () => {
    const annotations = { [sub("aborted", "slack")]: "releases" };
    const ns = [notifier("slack", { selector: { matchLabels: { app: "web" } } })];
    assert.deepEqual(recipients({ labels: LABELS, annotations }, "aborted", ns), ["Notifier/slack#releases"]);
  });

  test("matched by selector and subscribed without a channel, or listed twice: one recipient", () => {
    const ns = [notifier("slack", { selector: {} }), notifier("slack", { selector: {} })];
    const annotations = { [sub("healthy", "slack")]: "", other: "x" };
    assert.deepEqual(recipients({ labels: LABELS, annotations }, "healthy", ns), ["Notifier/slack"]);
  });

  test("malformed annotations are returned apart; the others parse", () => {
    const annotations = {
      [sub("paused", "slack")]: "#deploys",
      [sub("aborted", "team.alerts")]: "",
      [sub("deployed", "slack")]: "",
      [sub("paused", "")]: "",
      [`${SUBSCRIBE_PREFIX}paused`]: "",
      "notifications.argoproj.io/subscribe.on-rollout-completed.slack": "deploys",
    };
    const { subscriptions: ok, malformed } = subscriptions(annotations);
    assert.deepEqual(ok, [
      { event: "paused", notifier: "slack", channel: "#deploys" },
      // Notifier names may hold dots: the event ends at the first one.
      { event: "aborted", notifier: "team.alerts", channel: "" },
    ]);
    assert.deepEqual(malformed, [sub("deployed", "slack"), sub("paused", ""), `${SUBSCRIBE_PREFIX}paused`]);
    assert.deepEqual(subscriptions(undefined), { subscriptions: [], malformed: [] });
  });

  test("a malformed subscription reaches nobody and does not stop the others", () => {
    const annotations = { [sub("Paused", "slack")]: "", [sub("paused", "teams")]: "" };
    const ns = [notifier("slack"), notifier("teams")];
    assert.deepEqual(recipients({ annotations }, "paused", ns), ["Notifier/teams"]);
  });
});

describe("recipients: the recipient string", () => {
  const ROUND_TRIP: [Parameters<typeof recipientOf>, string][] = [
    [["Notifier", "slack"], "Notifier/slack"],
    [["ClusterNotifier", "teams"], "ClusterNotifier/teams"],
    [["Notifier", "slack", "C0123456"], "Notifier/slack#C0123456"],
    [["Notifier", "slack", "#deploys"], "Notifier/slack##deploys"],
    [["ClusterNotifier", "bot.example", "releases"], "ClusterNotifier/bot.example#releases"],
  ];
  for (const [[kind, name, channel], text] of ROUND_TRIP) {
    test(`${text} round-trips`, () => {
      assert.equal(recipientOf(kind, name, channel), text);
      assert.deepEqual(parseRecipient(text), { kind, name, ...(channel ? { channel } : {}) });
    });
  }

  test("an empty channel is no channel", () => {
    assert.equal(recipientOf("Notifier", "slack", ""), "Notifier/slack");
  });

  test("anything else is not a recipient", () => {
    for (const text of ["Secret/slack", "Notifier/", "notifier/slack", "Notifier", "/slack", "Notifier/#c"])
      assert.equal(parseRecipient(text), undefined, text);
  });
});
