// The pure pieces of delivery, as tables: the wait before a retry, and what may be said about a URL.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Registry } from "prom-client";
import { nextWait } from "../../../src/notify/deliver/backoff.ts";
import { FAILURE_REASONS, notifyMetrics } from "../../../src/notify/deliver/metrics.ts";
import { safeUrl, scrub, secretsOf } from "../../../src/notify/deliver/redact.ts";

const b = { initialMs: 1000, maxMs: 60_000 };

describe("nextWait", () => {
  const cases: [string, number, number, number | undefined, number][] = [
    // name, attempt, random, Retry-After ms, expected
    ["first failure, least jitter", 1, 0, undefined, 500],
    ["first failure, most jitter", 1, 0.999_999, undefined, 1000],
    ["doubles", 3, 0, undefined, 2000],
    ["capped at maxMs", 20, 0.999_999, undefined, 60_000],
    ["huge attempt numbers stay finite", 5000, 0, undefined, 30_000],
    ["Retry-After honoured, jitter only adds", 1, 0, 7000, 7000],
    ["Retry-After plus at most 10%", 1, 0.999_999, 7000, 7699],
    ["Retry-After capped by maxRetryAfterMs", 1, 0, 3_600_000, 300_000],
    ["Retry-After: 0 still waits initialMs", 4, 0, 0, 1000],
  ];
  for (const [name, n, r, after, want] of cases)
    test(name, () =>
      assert.equal(
        nextWait(n, b, () => r, after),
        want,
      ),
    );
});

describe("safeUrl and scrub", () => {
  const urls: [string, string][] = [
    ["https://hooks.slack.com/services/T0/B0/secret", "https://hooks.slack.com/…"],
    ["https://user:pw@example.com:8443/?token=x", "https://example.com:8443/…"],
    ["http://example.com/", "http://example.com"],
    ["http://example.com", "http://example.com"],
    ["not a url", "an invalid URL"],
    ["file:///etc/passwd", "a file URL"],
  ];
  for (const [url, want] of urls) test(`${url} → ${want}`, () => assert.equal(safeUrl(url), want));

  test("scrub cuts URLs to their origin and replaces every secret, plain headers kept", () => {
    const url = "https://hooks.slack.com/services/T0AAA/B0BBB/cccSECRET?x=1";
    const secrets = secretsOf(url, {
      authorization: "Bearer tok-123456",
      "content-type": "application/json",
    });
    const text = `POST ${url} failed; /services/T0AAA/B0BBB/cccSECRET with Bearer tok-123456 as application/json`;
    assert.equal(scrub(text, secrets), "POST https://hooks.slack.com/… failed; … with … as application/json");
    assert.equal(scrub("x".repeat(500), [], 10), "xxxxxxxxx…");
    // A path that does not decode (a stray %) is still scrubbed as it is.
    assert.equal(scrub("at /a/%E0%A4%A", secretsOf("https://h.example/a/%E0%A4%A", {})), "at …");
  });
});

test("notifyMetrics registers the three series; every failure reason is a plain label", async () => {
  const registry = new Registry();
  const m = notifyMetrics(registry);
  m.sent.inc({ destination: "Notifier/shop/slack", event: "paused" });
  m.failed.inc({ destination: "Notifier/shop/slack", reason: "timeout" });
  m.queueDepth.set({ destination: "Notifier/shop/slack" }, 2);
  const text = await registry.metrics();
  assert.match(
    text,
    /^ramp_notifications_sent_total\{destination="Notifier\/shop\/slack",event="paused"\} 1$/m,
  );
  assert.match(
    text,
    /^ramp_notifications_failed_total\{destination="Notifier\/shop\/slack",reason="timeout"\} 1$/m,
  );
  assert.match(text, /^ramp_notifications_queue_depth\{destination="Notifier\/shop\/slack"\} 2$/m);
  for (const r of FAILURE_REASONS) assert.match(r, /^[a-z0-9_]+$/);
});
