import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CloudEvent, HTTP } from "cloudevents";
import { NOTIFY_EVENTS } from "../../../src/api/index.ts";
import type { Notification } from "../../../src/notify/message.ts";
import { cloudEvent, renderFor } from "../../../src/notify/render/index.ts";
import { note } from "./fixtures.ts";

/** The SDK's own reading of what a receiver gets, validated against the CloudEvents 1.0 schema. */
function received(n: Notification): CloudEvent<Notification> {
  const r = renderFor("webhook", n);
  const event = HTTP.toEvent<Notification>({
    headers: { "content-type": r.contentType, ...r.headers },
    body: r.body,
  });
  assert.ok(!Array.isArray(event), "one event, not a batch");
  const ce = event as CloudEvent<Notification>;
  assert.equal(ce.validate(), true);
  return ce;
}

describe("webhook: CloudEvents 1.0, structured mode", () => {
  for (const event of NOTIFY_EVENTS) {
    test(`${event} round-trips through HTTP.toEvent and validate()`, () => {
      const n = note(event);
      const ce = received(n);
      assert.equal(ce.specversion, "1.0");
      assert.equal(ce.type, `dev.ramp.rollout.${event.toLowerCase()}`);
      assert.equal(ce.source, "/apis/ramp.dev/v1alpha1/namespaces/shop/rollouts/web");
      assert.equal(ce.id, n.id);
      assert.equal(ce.subject, "web");
      assert.equal(ce.datacontenttype, "application/json");
      assert.equal(Date.parse(ce.time ?? ""), Date.parse(n.at));
      const { title, text, ...data } = ce.data as Notification & { title: string; text: string };
      assert.deepEqual(data, n);
      assert.ok(title.includes("web") && text.includes("shop/web"), "the headline and text a person reads");
    });
  }

  test("the type names are the CRD's: lower-cased event names", () => {
    assert.equal(cloudEvent(note("analysisInconclusive")).type, "dev.ramp.rollout.analysisinconclusive");
    assert.equal(
      cloudEvent(note("progressDeadlineExceeded")).type,
      "dev.ramp.rollout.progressdeadlineexceeded",
    );
  });

  test("the body is the whole event as JSON, with the structured content type", () => {
    const r = renderFor("webhook", note("aborted"));
    assert.equal(r.contentType, "application/cloudevents+json; charset=utf-8");
    const body = JSON.parse(r.body) as Record<string, unknown>;
    assert.equal(body.specversion, "1.0");
    assert.equal(body.type, "dev.ramp.rollout.aborted");
    assert.deepEqual((body.data as Notification).rollout, {
      name: "web",
      namespace: "shop",
      uid: "0b6f-uid",
    });
  });

  test("unknown fields are left out of data, not sent as null", () => {
    const bare: Notification = {
      id: "u-1",
      event: "healthy",
      at: "2026-12-07T21:14:05Z",
      rollout: { name: "web", namespace: "shop", uid: "u" },
    };
    const ce = received(bare);
    assert.deepEqual(Object.keys(ce.data ?? {}).sort(), ["at", "event", "id", "rollout", "text", "title"]);
  });

  test("a template replaces the title and text the data carries, and nothing else", () => {
    const n = note("paused");
    const own = JSON.parse(renderFor("webhook", n).body) as { data: Record<string, unknown> };
    const templated = JSON.parse(
      renderFor("webhook", n, { title: "{{rollout}} waits", text: "run {{command}}" }).body,
    ) as {
      data: Record<string, unknown>;
    };
    assert.equal(templated.data.title, "web waits");
    assert.equal(templated.data.text, "run kubectl ramp promote web -n shop");
    assert.match(String(own.data.title), /web is paused/);
    assert.deepEqual({ ...templated.data, title: 0, text: 0 }, { ...own.data, title: 0, text: 0 });
  });
});
