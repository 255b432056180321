import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NOTIFY_EVENTS } from "../../../src/api/index.ts";
import type { Notification } from "../../../src/notify/message.ts";
import { renderFor } from "../../../src/notify/render/index.ts";
import { escapeMrkdwn, type SlackMessage, slackMessage } from "../../../src/notify/render/slack.ts";
import type { TeamsMessage } from "../../../src/notify/render/teams.ts";
import { compose, fill, formatDuration } from "../../../src/notify/render/template.ts";
import { renderText } from "../../../src/notify/render/text.ts";
import { LINK, note, strings, VERSION } from "./fixtures.ts";

const KINDS = ["slackWebhook", "slackBot", "msteams", "webhook"] as const;

describe("every event renders in every form", () => {
  for (const event of NOTIFY_EVENTS) {
    for (const kind of KINDS) {
      test(`${event} → ${kind}`, () => {
        const n = note(event);
        const r = renderFor(kind, n, undefined, { channel: "#deploys" });
        assert.match(
          r.contentType,
          kind === "webhook" ? /^application\/cloudevents\+json/ : /^application\/json/,
        );
        assert.doesNotMatch(r.body, /undefined/);
        const body = JSON.parse(r.body) as unknown;
        const all = strings(body).join("\n");
        assert.doesNotMatch(all, /\bnull\b|NaN/);
        for (const must of ["web", "shop", "ghcr.io/shop/web:1.4.2"])
          assert.ok(all.includes(must), `${must} in ${all}`);
        if (kind !== "webhook") {
          assert.ok(all.includes("2/5") || all.includes("5/5"), "step x/y");
          assert.ok(all.includes("20%") || all.includes("100%"), "weight");
        }
      });
    }
  }

  test("no undefined or null strings with only the required fields known", () => {
    for (const event of NOTIFY_EVENTS) {
      const bare: Notification = {
        id: "u-1",
        event,
        at: "2026-12-07T21:14:05Z",
        rollout: { name: "web", namespace: "shop", uid: "u" },
      };
      for (const kind of KINDS) {
        const r = renderFor(kind, bare, undefined, { channel: "C0123" });
        for (const s of strings(JSON.parse(r.body)))
          assert.doesNotMatch(s, /undefined|null|NaN/, `${event} ${kind}: ${s}`);
      }
      assert.doesNotMatch(renderText(bare), /undefined|null|NaN|\(\)| {2}/);
    }
  });
});

describe("what the text says", () => {
  test("paused and analysisInconclusive carry the exact promote command", () => {
    for (const event of ["paused", "analysisInconclusive"] as const) {
      const text = renderText(note(event));
      assert.ok(text.includes("kubectl ramp promote web -n shop"), text);
      const slack = slackMessage(note(event));
      assert.ok(strings(slack.blocks).some((s) => s.includes("`kubectl ramp promote web -n shop`")));
    }
  });

  test("the plain text alone names rollout, namespace, version, step, weight and link", () => {
    for (const event of NOTIFY_EVENTS) {
      const n = note(event);
      const text = renderText(n);
      const step = `step ${n.step?.index}/${n.step?.count}`;
      for (const must of ["shop/web", VERSION, step, `weight ${n.weight}%`, `Details: ${LINK}`]) {
        assert.ok(text.includes(must), `${event}: ${must} in ${text}`);
      }
    }
  });

  test("the command is derived when the sender left it out", () => {
    assert.ok(
      renderText(note("paused", { command: undefined })).includes("kubectl ramp promote web -n shop"),
    );
    assert.doesNotMatch(renderText(note("aborted")), /kubectl ramp promote/);
    const retry = renderText(note("aborted", { command: "kubectl ramp retry web -n shop" }));
    assert.ok(retry.includes("Run kubectl ramp retry web -n shop next."), retry);
  });

  test("aborted names who, the reason code and the full message", () => {
    const text = renderText(note("aborted"));
    assert.equal(
      text,
      "web aborted: AnalysisFailed. Rollout shop/web was aborted by analysis run web-7-2 at step 2/5 (weight 20%). " +
        `Version: ${VERSION}. Reason: AnalysisFailed: error-rate = 0.07 failed the condition result < 0.05 ` +
        `(3 of 3 measurements). Details: ${LINK}`,
    );
  });

  test("healthy names the version and a human duration", () => {
    const text = renderText(note("healthy"));
    assert.match(
      text,
      /web is healthy\. Rollout shop\/web is fully promoted and healthy at step 5\/5 \(weight 100%\), 4m 12s after its first step\./,
    );
    assert.ok(text.includes(`Live: ${VERSION}.`));
  });

  test("the plain text is one paragraph without markup", () => {
    for (const event of NOTIFY_EVENTS) {
      const text = renderText(note(event, { message: "line one\nline two" }));
      assert.doesNotMatch(text, /\n|`|\*|<http/);
    }
  });

  test("durations read the way people say them", () => {
    const cases: [number, string][] = [
      [0, "0s"],
      [12, "12s"],
      [252, "4m 12s"],
      [3600, "1h"],
      [3900, "1h 5m"],
      [90061, "1d 1h"],
    ];
    for (const [s, want] of cases) assert.equal(formatDuration(s), want, String(s));
  });
});

describe("templates", () => {
  test("every placeholder is filled; unknown ones stay; missing values become empty", () => {
    const n = note("aborted", { command: undefined });
    const out = fill(
      "{{rollout}}|{{namespace}}|{{event}}|{{version}}|{{step}}|{{weight}}|{{reason}}|{{ message }}|{{command}}|{{link}}|{{nope}}",
      n,
    );
    assert.equal(out, `web|shop|aborted|${VERSION}|2/5|20%|AnalysisFailed|${n.message}||${LINK}|{{nope}}`);
    const bare: Notification = {
      id: "x",
      event: "healthy",
      at: "2026-12-07T21:14:05Z",
      rollout: { name: "a", namespace: "b", uid: "u" },
    };
    assert.equal(fill("[{{version}}][{{step}}][{{weight}}]", bare), "[][][]");
  });

  test("a template replaces title and text in every form", () => {
    const template = { title: "{{rollout}} needs you", text: "Promote with: {{command}} & check {{link}}" };
    const n = note("paused");
    assert.deepEqual(compose(n, template), {
      title: "web needs you",
      text: `Promote with: kubectl ramp promote web -n shop & check ${LINK}`,
    });
    const slack = JSON.parse(renderFor("slackWebhook", n, template).body) as SlackMessage;
    assert.deepEqual(slack.blocks[0], {
      type: "header",
      text: { type: "plain_text", text: ":double_vertical_bar: web needs you", emoji: true },
    });
    assert.deepEqual(slack.blocks[1], {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `Promote with: kubectl ramp promote web -n shop &amp; check ${escapeMrkdwn(LINK)}`,
      },
    });
    const teams = JSON.parse(renderFor("msteams", n, template).body) as TeamsMessage;
    const body = teams.attachments[0].content.body;
    assert.deepEqual(
      body.slice(0, 2).map((b) => (b.type === "TextBlock" ? b.text : "")),
      ["web needs you", `Promote with: kubectl ramp promote web -n shop & check ${LINK}`],
    );
    assert.equal(
      renderText(n, template),
      `web needs you. Promote with: kubectl ramp promote web -n shop & check ${LINK}`,
    );
  });
});
