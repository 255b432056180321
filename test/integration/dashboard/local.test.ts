// `kubectl ramp dashboard` (local mode) in a real browser against the real control plane: the one-time
// token in the printed URL lets the browser in once (a session cookie from then on) and shows the user's
// Rollouts; the same URL used again, or no token at all, is a 401.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { API } from "../../../src/dashboard/contract.ts";
import { byTestId, TestBrowser, textWithin, waitForTestId } from "../../support/browser.ts";
import { call, type Dashboard, startDashboard } from "../../support/dashboard.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("dashboard, local mode (kubectl ramp dashboard)", () => {
  let f: Fixture;
  let dash: Dashboard;
  let browser: TestBrowser;

  before(async () => {
    f = await Fixture.create("dash-local");
    await f.startController();
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "web",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("web");
    dash = await startDashboard({ mode: "local", namespace: f.namespace });
    browser = await TestBrowser.launch();
  });
  after(async () => {
    await browser?.close();
    await dash?.close();
    await f?.cleanup();
  });

  test("without the token every page and API answers 401", async () => {
    for (const path of ["/", API.me, API.overviewStream, API.detail(f.namespace, "web")]) {
      assert.equal((await call(dash.url, path)).status, 401, path);
    }
    const ctx = await browser.newContext();
    try {
      const { status } = await browser.open(`${dash.url}/`, ctx);
      assert.equal(status, 401);
    } finally {
      await ctx.close();
    }
  });

  test("the token URL shows the Rollouts once; the same URL again is a 401", async () => {
    browser.errors.length = 0;
    const { page, status } = await browser.open(`${dash.url}/?token=${dash.localToken}`);
    assert.equal(status, 200);
    // The app's script and style, as index.html names them, are served.
    await page.waitForLoadState("load");
    const assets = browser.responses.filter((r) => new URL(r.url).pathname.startsWith("/assets/"));
    assert.ok(assets.length >= 1, "index.html names no asset");
    assert.deepEqual(
      assets.filter((r) => r.status !== 200 && r.status !== 304),
      [],
      "an asset index.html names is not served",
    );
    await waitForTestId(page, "overview");
    const row = `row-${f.namespace}-web`;
    await waitForTestId(page, row);
    assert.equal(await textWithin(page, row, "phase"), "Healthy");
    // The session cookie, not the token, keeps this browser in: a reload still shows the Rollout.
    await page.reload();
    await waitForTestId(page, row);
    assert.equal((await page.locator(byTestId(row)).count()) > 0, true);
    assert.deepEqual(browser.errors, [], "the page logged errors");

    // A second use of the token (another browser, a URL from a shell history) is refused.
    const other = await browser.newContext();
    try {
      const again = await browser.open(`${dash.url}/?token=${dash.localToken}`, other);
      assert.equal(again.status, 401);
    } finally {
      await other.close();
    }
    assert.equal((await call(dash.url, `/?token=${dash.localToken}`)).status, 401);
  });
});
