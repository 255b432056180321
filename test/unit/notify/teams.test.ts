import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderFor } from "../../../src/notify/render/index.ts";
import type { TeamsMessage } from "../../../src/notify/render/teams.ts";
import { renderText } from "../../../src/notify/render/text.ts";
import { LINK, note, VERSION } from "./fixtures.ts";

const teams = (r: { body: string }) => JSON.parse(r.body) as TeamsMessage;

describe("msteams: an Adaptive Card in the webhook envelope", () => {
  test("envelope and card header are what Teams webhooks accept", () => {
    const m = teams(renderFor("msteams", note("paused")));
    assert.equal(m.type, "message");
    assert.equal(m.attachments.length, 1);
    const a = m.attachments[0];
    assert.equal(a.contentType, "application/vnd.microsoft.card.adaptive");
    assert.equal(a.contentUrl, null);
    assert.equal(a.content.$schema, "http://adaptivecards.io/schemas/adaptive-card.json");
    assert.equal(a.content.type, "AdaptiveCard");
    assert.equal(a.content.version, "1.4");
  });

  test("paused: a title, the body, the command in monospace, the facts, the time, an OpenUrl action", () => {
    const card = teams(renderFor("msteams", note("paused"))).attachments[0].content;
    assert.deepEqual(card.body, [
      {
        type: "TextBlock",
        text: "web is paused and waits for you",
        wrap: true,
        size: "Medium",
        weight: "Bolder",
        color: "Warning",
      },
      {
        type: "TextBlock",
        text:
          "Rollout shop/web is paused at step 2/5 (weight 20%) and waits for a person to promote it. " +
          `Version: ${VERSION}. Run kubectl ramp promote web -n shop to promote it. Details: ${LINK}`,
        wrap: true,
      },
      { type: "TextBlock", text: "kubectl ramp promote web -n shop", wrap: true, fontType: "Monospace" },
      {
        type: "FactSet",
        facts: [
          { title: "Rollout", value: "web" },
          { title: "Namespace", value: "shop" },
          { title: "Version", value: VERSION },
          { title: "Step", value: "2/5" },
          { title: "Weight", value: "20%" },
        ],
      },
      {
        type: "TextBlock",
        text: "{{DATE(2026-12-07T21:14:05Z,SHORT)}} {{TIME(2026-12-07T21:14:05Z)}} · paused",
        wrap: true,
        size: "Small",
        isSubtle: true,
      },
    ]);
    assert.deepEqual(card.actions, [{ type: "Action.OpenUrl", title: "Open rollout", url: LINK }]);
    assert.equal(card.fallbackText, renderText(note("paused")));
  });

  test("every TextBlock wraps; no link, no actions", () => {
    const card = teams(renderFor("msteams", note("healthy", { link: undefined }))).attachments[0].content;
    assert.equal(card.actions, undefined);
    for (const b of card.body) if (b.type === "TextBlock") assert.equal(b.wrap, true);
    assert.ok(
      card.body.some(
        (b) => b.type === "FactSet" && b.facts.some((f) => f.title === "Took" && f.value === "4m 12s"),
      ),
    );
  });

  test("aborted is red and carries the whole reason", () => {
    const n = note("aborted");
    const card = teams(renderFor("msteams", n)).attachments[0].content;
    const [title, text] = card.body;
    assert.equal(title?.type === "TextBlock" && title.color, "Attention");
    assert.ok(text?.type === "TextBlock" && text.text.includes(`Reason: AnalysisFailed: ${n.message}.`));
    assert.ok(text?.type === "TextBlock" && text.text.includes("by analysis run web-7-2"));
  });
});
