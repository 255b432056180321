import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NOTIFY_EVENTS } from "../../../src/api/index.ts";
import { renderFor } from "../../../src/notify/render/index.ts";
import {
  cutMrkdwn,
  escapeMrkdwn,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
  slackMessage,
} from "../../../src/notify/render/slack.ts";
import { LINK, note, VERSION } from "./fixtures.ts";

/** Each limit Slack enforces, checked on a whole message. */
function assertWithinLimits(m: SlackMessage): void {
  assert.ok(m.blocks.length <= 50, "at most 50 blocks");
  assert.ok(m.text.length <= SLACK_LIMITS.fallbackText, `fallback ${m.text.length}`);
  for (const b of m.blocks) {
    if (b.type === "header") {
      assert.equal(b.text.type, "plain_text");
      assert.ok(b.text.text.length <= SLACK_LIMITS.headerText, `header ${b.text.text.length}`);
    }
    if (b.type === "section") {
      assert.ok(b.text || b.fields, "a section has text or fields");
      if (b.text) assert.ok(b.text.text.length <= SLACK_LIMITS.sectionText, `section ${b.text.text.length}`);
      for (const f of b.fields ?? []) assert.ok(f.text.length <= SLACK_LIMITS.fieldText);
      assert.ok((b.fields ?? []).length <= SLACK_LIMITS.fields);
    }
    if (b.type === "context") assert.ok(b.elements.length <= SLACK_LIMITS.contextElements);
    if (b.type === "actions") {
      for (const e of b.elements) {
        assert.ok(e.text.text.length <= SLACK_LIMITS.buttonText);
        assert.ok(e.url.length <= SLACK_LIMITS.buttonUrl);
      }
    }
  }
}

const block = <T extends SlackBlock["type"]>(m: SlackMessage, type: T, nth = 0) =>
  m.blocks.filter((b): b is Extract<SlackBlock, { type: T }> => b.type === type)[nth];

describe("slack: the layout a phone shows", () => {
  test("header, body, facts as fields, time, button", () => {
    const m = slackMessage(note("aborted"));
    assert.deepEqual(
      m.blocks.map((b) => b.type),
      ["header", "section", "section", "context", "actions"],
    );
    assert.equal(block(m, "header")?.text.text, ":rotating_light: web aborted: AnalysisFailed");
    assert.deepEqual(
      block(m, "section", 1)?.fields?.map((f) => f.text),
      [
        "*Rollout*\nweb",
        "*Namespace*\nshop",
        `*Version*\n${VERSION}`,
        "*Step*\n2/5",
        "*Weight*\n20%",
        "*Reason*\nAnalysisFailed",
        "*By*\nanalysis run web-7-2",
      ],
    );
    assert.equal(
      block(m, "context")?.elements[0]?.text,
      "<!date^1796678045^{date_short_pretty} {time_secs}|2026-12-07T21:14:05Z> · aborted",
    );
    assert.deepEqual(block(m, "actions")?.elements[0], {
      type: "button",
      text: { type: "plain_text", text: "Open rollout" },
      url: LINK,
      action_id: "ramp-open-link",
      style: "danger",
    });
    assertWithinLimits(m);
  });

  test("without a link there is no button", () => {
    const m = slackMessage(note("healthy", { link: undefined }));
    assert.equal(block(m, "actions"), undefined);
    assert.doesNotMatch(JSON.stringify(m), /Details:/);
  });

  test("the webhook body has no channel; the bot body names it", () => {
    const hook = JSON.parse(renderFor("slackWebhook", note("paused")).body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(hook).sort(), ["blocks", "text"]);
    const bot = renderFor("slackBot", note("paused"), undefined, { channel: "C0123456" });
    assert.equal(bot.contentType, "application/json; charset=utf-8");
    const body = JSON.parse(bot.body) as Record<string, unknown>;
    assert.equal(body.channel, "C0123456");
    assert.deepEqual(body.blocks, hook.blocks);
    assert.throws(() => renderFor("slackBot", note("paused")), /needs a channel/);
  });
});

describe("slack: limits", () => {
  const long = `error-rate = 0.07 failed result < 0.05; ${"x & <y> ".repeat(620)}`.slice(0, 5000);

  test("a 5,000-character abort message is cut inside its reason; the link survives", () => {
    assert.equal(long.length, 5000);
    const m = slackMessage(note("aborted", { message: long }));
    assertWithinLimits(m);
    const section = block(m, "section")?.text?.text ?? "";
    assert.ok(section.length > SLACK_LIMITS.sectionText - 20, `uses the room it has: ${section.length}`);
    assert.ok(section.includes("Reason: AnalysisFailed: error-rate = 0.07 failed result &lt; 0.05"), section);
    assert.match(
      section,
      /…\. Details: <https:\/\/grafana\.example\.com\/d\/ramp\?var-rollout=web&amp;var-ns=shop>$/,
    );
    assert.doesNotMatch(section, /&(?:a|am|l|g)?…/, "no half entity at the cut");
    assert.ok(m.text.length <= SLACK_LIMITS.fallbackText);
    assert.match(m.text, /…\. Details: https:\/\/grafana/);
  });

  test("a paused rollout with a long reason keeps its promote command", () => {
    const m = slackMessage(note("paused", { reason: "PausedByStep", message: long }));
    assertWithinLimits(m);
    assert.ok(
      block(m, "section")?.text?.text.includes("Run `kubectl ramp promote web -n shop` to promote it."),
    );
  });

  test("long names, versions and templates are cut too", () => {
    const m = slackMessage(
      note("aborted", {
        message: long,
        version: "v".repeat(2500),
        rollout: { name: "r".repeat(200), namespace: "shop", uid: "u" },
      }),
    );
    assertWithinLimits(m);
    assert.ok(block(m, "header")?.text.text.endsWith("…"));
    // Every field was cut to 2,000, the 2,500-character version too.
    const version = block(m, "section", 1)?.fields?.find((f) => f.text.startsWith("*Version*"));
    assert.equal(version?.text.length, SLACK_LIMITS.fieldText);
    const t = slackMessage(note("aborted"), { title: "t".repeat(400), text: `{{message}} ${long}` });
    assertWithinLimits(t);
    assert.ok(block(t, "section")?.text?.text.endsWith("…"));
  });

  test("an over-long link is left off the button rather than broken", () => {
    const m = slackMessage(note("paused", { link: `https://example.com/${"a".repeat(3100)}` }));
    assert.equal(block(m, "actions"), undefined);
  });

  test("cutMrkdwn never leaves half an entity, link or code span", () => {
    assert.equal(cutMrkdwn("abc &amp; def", 7), "abc …");
    assert.equal(cutMrkdwn("see <https://example.com/x> now", 12), "see …");
    assert.equal(cutMrkdwn("run `kubectl ramp promote web` now", 15), "run …");
    assert.equal(cutMrkdwn("short", 10), "short");
    assert.equal(cutMrkdwn("ab😀cd", 4), "ab…");
  });
});

describe("slack: escaping", () => {
  test("&, < and > are escaped, and only those", () => {
    assert.equal(escapeMrkdwn("a & b < c > d *e* _f_"), "a &amp; b &lt; c &gt; d *e* _f_");
  });

  test("values with control characters cannot inject links or mentions", () => {
    for (const event of NOTIFY_EVENTS) {
      const m = slackMessage(
        note(event, {
          by: "<!channel>",
          message: "p99 > 2s & <https://evil.example|click>",
          version: "web=<img>",
        }),
      );
      const shown = JSON.stringify([m.text, m.blocks.filter((b) => b.type !== "header")]);
      assert.doesNotMatch(shown, /<!channel>|<https:\/\/evil|<img>/);
      if (event === "aborted" || event === "rolledBack") assert.ok(shown.includes("&lt;!channel&gt;"));
      assert.ok(shown.includes("web=&lt;img&gt;"));
    }
  });

  test("the link is a Slack link with & escaped; a | cannot end it early", () => {
    const m = slackMessage(note("paused", { link: "https://x.example/a?b=1&c=2|3" }));
    assert.ok(block(m, "section")?.text?.text.includes("Details: <https://x.example/a?b=1&amp;c=2%7C3>"));
  });
});
