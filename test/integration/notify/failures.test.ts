// Destinations that fail never hold a rollout back: a receiver that answers 429 with Retry-After gets the
// message after the wait, one that hangs and one that is down are given up with a Warning Event and
// counted; Notifiers that cannot work say why in their Ready condition, without touching any Rollout.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { type NotifyReceiver, startNotifyReceiver } from "../../support/notify-receiver.ts";

type Cond = {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
};

describe("notification failures", () => {
  let f: Fixture;
  let rx: NotifyReceiver;
  let metricsUrl = "";

  const apply = async (yaml: string) => {
    const res = await kubectl(["apply", "-n", f.namespace, "-f", "-"], { input: yaml });
    assert.equal(res.code, 0, res.stderr);
  };
  const ready = async (name: string): Promise<Cond | undefined> => {
    const res = await kubectl(["get", "notifier.ramp.dev", name, "-n", f.namespace, "-o", "json"]);
    const o = JSON.parse(res.stdout || "{}") as { status?: { conditions?: Cond[] } };
    return o.status?.conditions?.find((c) => c.type === "Ready");
  };
  const waitReady = (name: string, what: string, check: (c: Cond) => boolean) =>
    waitFor(
      async () => {
        const c = await ready(name);
        return c && check(c) ? c : undefined;
      },
      { what: `Notifier ${name}: ${what}`, timeoutMs: 30_000 },
    );
  const counter = async (name: string, labels: Record<string, string>): Promise<number> => {
    const text = await (await fetch(metricsUrl)).text();
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    return text
      .split("\n")
      .filter((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)))
      .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
  };

  before(async () => {
    f = await Fixture.create("notify-fail");
    rx = await startNotifyReceiver();
    const hook = (name: string, url: string) => `
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {team: ops}}
  webhook: {url: "${url}"}
---`;
    await apply(
      [
        hook("limited", `${rx.cloudEventsUrl}/limited`),
        hook("slow", `${rx.cloudEventsUrl}/slow`),
        hook("down", "http://127.0.0.1:9/"),
      ].join("\n"),
    );
    // The URL from a Secret (spec.webhook.urlFrom), as when it carries a credential.
    await apply(`
apiVersion: v1
kind: Secret
metadata: {name: fine-url}
stringData: {url: "${rx.cloudEventsUrl}/fine"}
---
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: fine}
spec:
  selector: {matchLabels: {team: ops}}
  webhook: {urlFrom: {name: fine-url, key: url}}
`);
    rx.respondWith(`${rx.cloudEventsUrl}/limited`, { status: 429, headers: { "Retry-After": "2" } }, 2);
    rx.hang(`${rx.cloudEventsUrl}/slow`, 30_000);
    const c = await f.startController({ args: ["--notify-give-up-seconds", "6"] });
    metricsUrl = c.metricsUrl;
  });
  after(async () => {
    await f?.cleanup();
    await rx?.close();
  });

  test("429 with Retry-After, a receiver that hangs, one that is down: the rollout goes on; each failure is counted and given up with a Warning Event", async () => {
    await f.applyFixture("notify/rollout.yaml", {
      NAME: "ops",
      TEAM: "ops",
      IMAGE: "app:1",
      PAUSE: "{duration: 2s}",
      METRIC_URL: "http://127.0.0.1:1/unused",
      ANNOTATIONS: "{}",
    });
    const first = await f.waitHealthy("ops");
    // The healthy message reaches the fine receiver at once, and the limited one after its two 429s.
    await rx.waitFor({ path: "/cloudevents/fine" }, 10_000);
    await rx.waitFor({ path: "/cloudevents/limited" }, 15_000);
    const tries = rx.requests("/cloudevents/limited");
    assert.deepEqual(
      tries.map((r) => r.status),
      [429, 429, 202],
    );
    for (let i = 1; i < tries.length; i++)
      assert.ok(
        (tries[i]?.at ?? 0) - (tries[i - 1]?.at ?? 0) >= 1900,
        `attempt ${i + 1} waited for Retry-After: 2 (${(tries[i]?.at ?? 0) - (tries[i - 1]?.at ?? 0)} ms)`,
      );

    // A second version goes through its 2 s pause while two destinations fail: nothing waits for them.
    await f.patchSpec("ops", {
      template: { spec: { containers: [{ name: "app", image: "app:2" }] } },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: { duration: "2s" } }, { setWeight: 50 }] } },
    });
    const second = await f.waitStatus(
      "ops",
      "app:2 healthy",
      (s) => s.phase === "Healthy" && s.stableRS !== first.stableRS && s.stableRS === s.currentPodHash,
    );
    assert.ok(second);
    await rx.waitFor(
      (m) => m.path === "/cloudevents/fine" && JSON.stringify(m.body).includes("app:2"),
      10_000,
    );

    // Given up after --notify-give-up-seconds: a Warning Event names the event, destination and answer.
    const events = await waitFor(
      async () => {
        const res = await kubectl([
          "get",
          "events",
          "-n",
          f.namespace,
          "--field-selector",
          "reason=NotificationFailed",
          "-o",
          "json",
        ]);
        const items =
          (JSON.parse(res.stdout || "{}") as { items?: { message: string; type: string }[] }).items ?? [];
        const slow = items.some((e) => e.message.includes("Notifier/slow"));
        const down = items.some((e) => e.message.includes("Notifier/down"));
        return slow && down ? items : undefined;
      },
      { what: "NotificationFailed Events for slow and down", timeoutMs: 60_000 },
    );
    assert.ok(events.every((e) => e.type === "Warning"));
    assert.match(events.find((e) => e.message.includes("Notifier/down"))?.message ?? "", /gave_up/);
    const ns = f.namespace;
    assert.ok(
      (await counter("ramp_notifications_failed_total", {
        destination: `Notifier/${ns}/slow`,
        reason: "timeout",
      })) >= 1,
    );
    assert.ok(
      (await counter("ramp_notifications_failed_total", {
        destination: `Notifier/${ns}/down`,
        reason: "network",
      })) >= 1,
    );
    assert.ok(
      (await counter("ramp_notifications_failed_total", {
        destination: `Notifier/${ns}/down`,
        reason: "gave_up",
      })) >= 1,
    );
    assert.ok(
      (await counter("ramp_notifications_failed_total", {
        destination: `Notifier/${ns}/limited`,
        reason: "rate_limited",
      })) >= 2,
    );
    assert.ok((await counter("ramp_notifications_sent_total", { destination: `Notifier/${ns}/fine` })) >= 2);
    // Given up is recorded too: nothing stays owed in the ledger.
    await f.waitStatus("ops", "ledger emptied", (s) => !s.notifications?.pending?.length, 60_000);
  });

  test("a Notifier that cannot work says why in Ready, and recovers when fixed; secrets never in the message", async () => {
    await apply(`
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: nosecret}
spec:
  slack: {webhookURL: {name: hooks, key: slack}}
---
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: metadata}
spec:
  webhook: {url: "http://169.254.169.254/latest/meta-data"}
---
apiVersion: v1
kind: Secret
metadata: {name: garbled}
stringData: {url: "not-a-url-but-a-secret-s3cr3t"}
---
apiVersion: ramp.dev/v1alpha1
kind: Notifier
metadata: {name: badurl}
spec:
  msteams: {webhookURL: {name: garbled, key: url}}
`);
    const missing = await waitReady("nosecret", "Ready False", (c) => c.status === "False");
    assert.equal(missing.reason, "NotifierSecretMissing");
    assert.match(missing.message, /spec\.slack\.webhookURL/);
    assert.match(missing.message, /kubectl create secret generic hooks/);
    const denied = await waitReady("metadata", "Ready False", (c) => c.status === "False");
    assert.equal(denied.reason, "NotifierDenied");
    assert.match(denied.message, /169\.254/);
    const bad = await waitReady("badurl", "Ready False", (c) => c.status === "False");
    assert.equal(bad.reason, "NotifierInvalidURL");
    assert.doesNotMatch(bad.message, /s3cr3t/, "a URL from a Secret is never repeated");

    await apply(`
apiVersion: v1
kind: Secret
metadata: {name: hooks}
stringData: {slack: "${rx.slackWebhookUrl}"}
`);
    const fixed = await waitReady(
      "nosecret",
      "Ready True once the Secret exists",
      (c) => c.status === "True",
    );
    assert.equal(fixed.reason, "Ready");
    // A Rollout is never held by a broken Notifier: the one above stayed Healthy throughout.
    const rollouts = JSON.parse(
      (await kubectl(["get", "rollout.ramp.dev", "-n", f.namespace, "-o", "json"])).stdout,
    ) as { items: { status?: { phase?: string } }[] };
    assert.ok(rollouts.items.every((r) => r.status?.phase === "Healthy"));
  });

  test("a subscription annotation that reaches nobody is told once as a Warning Event, and the rollout goes on", async () => {
    await f.applyFixture("notify/rollout.yaml", {
      NAME: "subs",
      TEAM: "none",
      IMAGE: "app:1",
      PAUSE: "{duration: 1s}",
      METRIC_URL: "http://127.0.0.1:1/unused",
      ANNOTATIONS: [
        `notifications.ramp.dev/subscribe.aborted.nobody: ""`,
        `notifications.ramp.dev/subscribe.abortd.fine: ""`,
      ].join("\n    "),
    });
    await f.waitHealthy("subs");
    const event = await waitFor(
      async () => {
        const res = await kubectl([
          "get",
          "events",
          "-n",
          f.namespace,
          "--field-selector",
          "reason=NotificationSubscriptionInvalid,involvedObject.name=subs",
          "-o",
          "json",
        ]);
        const items = (
          JSON.parse(res.stdout || "{}") as { items?: { message: string; type: string; count?: number }[] }
        ).items;
        return items?.[0];
      },
      { what: "the NotificationSubscriptionInvalid Event", timeoutMs: 20_000 },
    );
    assert.equal(event.type, "Warning");
    assert.match(event.message, /subscribe\.aborted\.nobody: no Notifier "nobody"/);
    assert.match(event.message, /subscribe\.abortd\.fine: want notifications\.ramp\.dev\/subscribe\.<event>/);
  });

  test("admission refuses a Notifier with two destinations, an unknown event, or a bot token without a channel", async () => {
    const refused = async (spec: string, pattern: RegExp) => {
      const res = await kubectl(["apply", "-n", f.namespace, "-f", "-"], {
        input: `apiVersion: ramp.dev/v1alpha1\nkind: Notifier\nmetadata: {name: refused}\nspec: ${spec}\n`,
      });
      assert.notEqual(res.code, 0, `accepted: ${spec}`);
      assert.match(res.stderr, pattern);
    };
    await refused(
      `{webhook: {url: "http://x"}, msteams: {webhookURL: {name: a, key: b}}}`,
      /set exactly one destination: slack, msteams or webhook/,
    );
    await refused(
      `{webhook: {url: "http://x"}, events: [abortd]}`,
      /spec\.events\[0\]: Unsupported value: "abortd"/,
    );
    await refused(
      `{slack: {token: {name: a, key: b}}}`,
      /spec\.slack\.channel: a bot token posts to a channel/,
    );
    await refused(
      `{webhook: {url: "http://x"}, templates: {abortd: {text: hi}}}`,
      /spec\.templates: keys are event names/,
    );
  });
});
