// Whether a Notifier can work as written (its Ready condition): Secrets readable, URLs absolute http(s), the
// address not refused by the web policy. A URL from a Secret is a credential and never appears in a message.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { webPolicy } from "../../../src/analysis/providers/web-policy.ts";
import { checkNotifier, type Verdict } from "../../../src/notify/check.ts";
import type { AnyRef, NotifierSpecAny } from "../../../src/notify/request.ts";

const NS = "shop";
const SLACK_HOOK = "https://hooks.slack.com/services/T0AAAA/B0BBBB/s3cr3tPathToken";
const TOKEN = "Bearer tok-9f8e7d6c5b4a";

/** Secrets as `namespace/name` → key → value; reads answer as src/controller/secrets.ts does. */
function secrets(data: Record<string, Record<string, string>>) {
  const reads: AnyRef[] = [];
  const read = async (ref: AnyRef): Promise<string> => {
    reads.push(ref);
    const namespace = ref.namespace ?? NS;
    const secret = data[`${namespace}/${ref.name}`];
    if (!secret) throw new Error(`Secret "${ref.name}" does not exist in namespace "${namespace}"`);
    const value = secret[ref.key];
    if (value === undefined) throw new Error(`Secret "${ref.name}" has no key "${ref.key}"`);
    return value;
  };
  return { read, reads };
}

const check = (
  spec: NotifierSpecAny,
  data: Record<string, Record<string, string>> = {},
  policy = webPolicy({}),
  namespace: string | undefined = NS,
): Promise<Verdict> => checkNotifier(spec, { namespace, policy, secret: secrets(data).read });

const OK: Verdict = {
  ok: true,
  message: "destination configured; every address is checked again when a message is sent",
};
const slackHook = { slack: { webhookURL: { name: "slack-hook", key: "url" } } };

describe("check: Secrets", () => {
  test("a missing Secret: NotifierSecretMissing naming the field, the cause and the kubectl command", async () => {
    assert.deepEqual(await check(slackHook), {
      ok: false,
      code: "NotifierSecretMissing",
      message:
        'spec.slack.webhookURL: Secret "slack-hook" does not exist in namespace "shop"; create it: ' +
        "kubectl create secret generic slack-hook -n shop --from-literal=url=…",
    });
  });

  test("a Secret without the key: the same code, naming the key", async () => {
    const v = await check(slackHook, { "shop/slack-hook": { webhook: SLACK_HOOK } });
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.code, "NotifierSecretMissing");
    assert.match(v.message, /^spec\.slack\.webhookURL: Secret "slack-hook" has no key "url"; /);
    assert.ok(v.message.endsWith("--from-literal=url=…"), v.message);
    assert.ok(!v.message.includes(SLACK_HOOK), "the other key's value is not shown");
  });

  test("a ClusterNotifier's Secret: the command names the reference's namespace", async () => {
    const spec = { msteams: { webhookURL: { name: "teams-hook", key: "url", namespace: "platform" } } };
    const v = await check(spec, {}, webPolicy({}), undefined);
    assert.equal(!v.ok && v.code, "NotifierSecretMissing");
    assert.match(
      v.message,
      /^spec\.msteams\.webhookURL: Secret "teams-hook" does not exist in namespace "platform"/,
    );
    assert.ok(
      v.message.includes("kubectl create secret generic teams-hook -n platform --from-literal=url=…"),
    );
  });

  test("a missing header Secret names the header's field, and never a value already read", async () => {
    const spec = {
      webhook: {
        urlFrom: { name: "hook", key: "url" },
        headers: [
          { name: "X-Team", value: "shop" },
          { name: "Authorization", valueFrom: { secretKeyRef: { name: "hook-auth", key: "token" } } },
        ],
      },
    };
    const v = await check(spec, { "shop/hook": { url: "https://events.example.com/in?key=hunter2" } });
    assert.equal(!v.ok && v.code, "NotifierSecretMissing");
    assert.match(v.message, /^spec\.webhook\.headers\[1\]\.valueFrom\.secretKeyRef: Secret "hook-auth"/);
    assert.ok(v.message.includes("kubectl create secret generic hook-auth -n shop --from-literal=token=…"));
    assert.ok(!v.message.includes("hunter2"), v.message);
  });

  test("a webhook header from a Secret is read (from the Notifier's namespace); an inline one is not", async () => {
    const spec = {
      webhook: {
        url: "https://events.example.com/ramp",
        headers: [
          { name: "X-Team", value: "shop" },
          { name: "Authorization", valueFrom: { secretKeyRef: { name: "hook-auth", key: "token" } } },
        ],
      },
    };
    const store = secrets({ "shop/hook-auth": { token: TOKEN } });
    const v = await checkNotifier(spec, { namespace: NS, policy: webPolicy({}), secret: store.read });
    assert.deepEqual(v, OK);
    assert.deepEqual(store.reads, [{ name: "hook-auth", key: "token" }]);
  });

  test("a bot token is read but is not a URL: only Slack's API base is checked", async () => {
    const spec = { slack: { token: { name: "slack-bot", key: "token" }, channel: "#deploys" } };
    assert.deepEqual(await check(spec, { "shop/slack-bot": { token: "xoxb-1-2-abc" } }), OK);
    const v = await check(
      { slack: { ...spec.slack, apiURL: "http://169.254.169.254/api" } },
      { "shop/slack-bot": { token: "xoxb-1-2-abc" } },
    );
    assert.equal(!v.ok && v.code, "NotifierDenied");
    assert.match(v.message, /^spec\.slack\.apiURL: http:\/\/169\.254\.169\.254 is refused/);
  });
});

describe("check: URLs", () => {
  type Row = { name: string; value: string; code: string; want: RegExp };
  const ROWS: Row[] = [
    {
      name: "no scheme",
      value: "hooks.slack.com/services/T0AAAA/B0BBBB/s3cr3tPathToken",
      code: "NotifierInvalidURL",
      want: /^spec\.slack\.webhookURL: the Secret value spec\.slack\.webhookURL names is not a URL; want https:\/\/…$/,
    },
    {
      name: "a token pasted where the URL belongs",
      value: "xoxb-s3cr3t-token",
      code: "NotifierInvalidURL",
      want: /is not a URL; want https:\/\/…$/,
    },
    {
      name: "not http(s)",
      value: "ftp://hooks.example.com/s3cr3tPathToken",
      code: "NotifierInvalidURL",
      want: /^spec\.slack\.webhookURL: the Secret value spec\.slack\.webhookURL names is not an http\(s\) URL$/,
    },
  ];
  for (const row of ROWS) {
    test(`a Secret value that is ${row.name}: ${row.code}, its value never in the message`, async () => {
      const v = await check(slackHook, { "shop/slack-hook": { url: row.value } });
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.code, row.code);
      assert.match(v.message, row.want);
      for (const part of ["s3cr3t", row.value]) assert.ok(!v.message.includes(part), v.message);
    });
  }

  test("every URL from a Secret is checked the same way: Teams and webhook urlFrom", async () => {
    const bad = "mailto:ops@example.com?s3cr3t";
    for (const [field, spec] of [
      ["spec.msteams.webhookURL", { msteams: { webhookURL: { name: "dest", key: "url" } } }],
      ["spec.webhook.urlFrom", { webhook: { urlFrom: { name: "dest", key: "url" } } }],
    ] as const) {
      const v = await check(spec, { "shop/dest": { url: bad } });
      assert.deepEqual(v, {
        ok: false,
        code: "NotifierInvalidURL",
        message: `${field}: the Secret value ${field} names is not an http(s) URL`,
      });
    }
  });

  test("an inline webhook url is not a credential: the message quotes it", async () => {
    const v = await check({ webhook: { url: "events.example.com/ramp" } });
    assert.deepEqual(v, {
      ok: false,
      code: "NotifierInvalidURL",
      message: 'spec.webhook.url: "events.example.com/ramp" is not a URL; want https://…',
    });
  });

  test("a good https URL from a Secret (surrounding whitespace and all): ok", async () => {
    assert.deepEqual(await check(slackHook, { "shop/slack-hook": { url: `  ${SLACK_HOOK}\n` } }), OK);
  });

  test("a good inline https URL: ok", async () => {
    assert.deepEqual(await check({ webhook: { url: "https://events.example.com/ramp" } }), OK);
  });
});

describe("check: the address policy", () => {
  test("http://169.254.169.254/ (cloud metadata): NotifierDenied by the default deny entry", async () => {
    assert.deepEqual(await check({ webhook: { url: "http://169.254.169.254/latest/meta-data/" } }), {
      ok: false,
      code: "NotifierDenied",
      message:
        'spec.webhook.url: http://169.254.169.254 is refused by the default deny entry "169.254.0.0/16"; ' +
        "point it elsewhere or have the operator allow it with --web-analysis-allow",
    });
  });

  type Row = { name: string; url: string; entry: string };
  const DENIED: Row[] = [
    { name: "AWS metadata over IPv6", url: "http://[fd00:ec2::254]/latest", entry: "fd00:ec2::254" },
    { name: "Alibaba metadata", url: "http://100.100.100.200/latest", entry: "100.100.100.200" },
    {
      name: "GCP metadata by name",
      url: "http://metadata.google.internal/x",
      entry: "metadata.google.internal",
    },
    { name: "link-local on another port", url: "https://169.254.1.1:8443/", entry: "169.254.0.0/16" },
  ];
  for (const row of DENIED) {
    test(`${row.name}: NotifierDenied naming "${row.entry}"`, async () => {
      const v = await check({ webhook: { url: row.url } });
      assert.equal(!v.ok && v.code, "NotifierDenied");
      assert.ok(v.message.includes(`the default deny entry "${row.entry}"`), v.message);
    });
  }

  test("a denied URL from a Secret: the message names the origin, never the path that holds the credential", async () => {
    const v = await check(
      { msteams: { webhookURL: { name: "teams-hook", key: "url" } } },
      { "shop/teams-hook": { url: "http://169.254.169.254/webhookb2/s3cr3tPathToken" } },
    );
    assert.equal(!v.ok && v.code, "NotifierDenied");
    assert.match(v.message, /^spec\.msteams\.webhookURL: http:\/\/169\.254\.169\.254 is refused/);
    assert.ok(!v.message.includes("s3cr3t"), v.message);
  });

  test("the operator's deny entries are obeyed and named; an allow entry more specific lifts one", async () => {
    const url = "https://hooks.internal.example/ramp";
    const denied = await check({ webhook: { url } }, {}, webPolicy({ deny: ["*.internal.example"] }));
    assert.equal(!denied.ok && denied.code, "NotifierDenied");
    assert.ok(denied.message.includes('--web-analysis-deny "*.internal.example"'), denied.message);
    const allowed = webPolicy({ deny: ["*.internal.example"], allow: ["hooks.internal.example"] });
    assert.deepEqual(await check({ webhook: { url } }, {}, allowed), OK);
  });
});
