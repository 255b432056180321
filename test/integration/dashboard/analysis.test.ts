// A Rollout page's analysis chart shows what was measured: a canary with an analysis step whose web metric
// this test serves (as notifications.test does), the chart drawn by uPlot with the measured values. It
// also takes the two screenshots docs/ shows (docs/images/dashboard-overview.png and
// dashboard-rollout.png; written there with RAMP_UPDATE_SCREENSHOTS=1), from a namespace with a Rollout
// in each state.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { PAGES } from "../../../src/dashboard/contract.ts";
import { byTestId, screenshot, TestBrowser, waitForTestId } from "../../support/browser.ts";
import { type Dashboard, startDashboard } from "../../support/dashboard.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const METRIC = "latency-ms";
/** The n-th measurement's value: whole numbers under 1000, so no formatting changes how they read. */
const valueAt = (n: number) => 100 + ((n * 37) % 60);

/**
 * docs/images/ with RAMP_UPDATE_SCREENSHOTS=1 (to refresh the docs' pictures); otherwise the test logs, so
 * an ordinary run never changes a tracked file.
 */
const shot = (name: string): string =>
  process.env.RAMP_UPDATE_SCREENSHOTS === "1"
    ? join(repoRoot, "docs", "images", name)
    : join(repoRoot, ".ramp", "test-logs", name);

describe("dashboard: the analysis chart, and the docs' screenshots", () => {
  let f: Fixture;
  let dash: Dashboard;
  let browser: TestBrowser;
  let metric: Server;
  let served = 0;

  before(async () => {
    metric = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ value: valueAt(served++) }));
    });
    await new Promise<void>((r) => metric.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(metric.address() as AddressInfo).port}/latency`;
    f = await Fixture.create("dash-analysis");
    await f.startController();
    const canary = (name: string, pause2: string) =>
      f.applyFixture("canary/three-steps.yaml", {
        NAME: name,
        IMAGE: "app:1",
        PAUSE1: "1s",
        PAUSE2: pause2,
        DEADLINE: "600",
      });
    await Promise.all([
      // Long enough to be measuring while the test looks: one value a second for two minutes.
      f.shipAnalysisStep("checkout", {
        METRIC,
        COUNT: "120",
        VERSION: "v2",
        CONDITION: 'successCondition: "result < 500"',
        PROVIDER: `web: {url: "${url}", jsonPath: "{$.value}"}`,
      }),
      (async () => {
        await canary("cart", "{}");
        await f.waitHealthy("cart");
        await f.setImage("cart", "app:2");
      })(),
      (async () => {
        await canary("payments", "{}");
        await f.waitHealthy("payments");
        await f.setImage("payments", "app:2");
        await f.waitStatus("payments", "at the pause", (s) => s.phase === "Paused");
        await f.actions.abort("payments");
      })(),
      (async () => {
        await canary("search", "{}");
        await f.waitHealthy("search");
      })(),
    ]);
    dash = await startDashboard({ mode: "local", namespace: f.namespace });
    browser = await TestBrowser.launch({ viewport: { width: 1280, height: 800 } });
    await browser.open(`${dash.url}/?token=${dash.localToken}`);
  });

  after(async () => {
    await browser?.close();
    await dash?.close();
    await f?.cleanup();
    await new Promise<void>((r) => (metric ? metric.close(() => r()) : r()));
  });

  test("the chart is drawn by uPlot and shows the values the metric measured", async () => {
    const run =
      (await waitFor(async () => (await f.analysisRuns("checkout"))[0], {
        what: "checkout's AnalysisRun",
      })) ?? "";
    // Three measurements at least, so there is a line to draw.
    const values = await waitFor(
      async () => {
        const r = await f.analysisRun(run);
        const ms = r.status?.metricResults?.find((m) => m.name === METRIC)?.measurements ?? [];
        return ms.length >= 3 ? ms.map((m) => String(m.value)) : undefined;
      },
      { what: "three measurements", timeoutMs: 30_000 },
    );
    const context = browser.context;
    const { page } = await browser.open(`${dash.url}${PAGES.rollout(f.namespace, "checkout")}`, context);
    await waitForTestId(page, "rollout-page");
    const chartId = `analysis-chart-${run}-${METRIC}`;
    await waitForTestId(page, chartId, 15_000);
    const chart = page.locator(byTestId(chartId)).first();
    // uPlot draws on a canvas inside its .uplot root, with its legend beside it.
    await chart.locator(".uplot canvas").first().waitFor({ state: "attached" });
    const box = await chart.locator(".uplot canvas").first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, `canvas ${JSON.stringify(box)}`);
    // Every value measured so far (the page may already hold newer ones than `values`).
    const measured = async () =>
      (
        (await f.analysisRun(run)).status?.metricResults?.find((m) => m.name === METRIC)?.measurements ?? []
      ).map((m) => String(m.value));
    // uPlot's legend shows the value under the cursor: point at the first and at the newest measurement.
    const over = chart.locator(".uplot .u-over").first();
    await over.scrollIntoViewIfNeeded();
    const o = await over.boundingBox();
    assert.ok(o, "uPlot's cursor layer");
    /** Points the cursor at x and waits for the legend to show one of `want` (the metric's values). */
    const legendAt = async (x: number, want: () => Promise<string[]>, what: string) => {
      await page.mouse.move(x, o.y + o.height / 2, { steps: 4 });
      let seen = "";
      let wanted: string[] = [];
      const legend = await waitFor(
        async () => {
          seen = (await chart.locator(".u-legend").textContent()) ?? "";
          wanted = await want();
          return wanted.some((v) => seen.includes(v)) ? seen : undefined;
        },
        { what, timeoutMs: 5_000, intervalMs: 100 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nlegend: ${seen}\nwanted one of: ${wanted.join(", ")}`, {
          cause: err,
        });
      });
      assert.match(legend, new RegExp(METRIC));
    };
    // The first point is the first measurement (the endpoint's first answer).
    assert.equal(values[0], String(valueAt(0)));
    await legendAt(o.x + 1, async () => [String(valueAt(0))], "the first measurement in uPlot's legend");
    // Live: newer measurements reach the open page without a reload; the newest point shows one of them.
    const count = values.length;
    await waitFor(async () => (await measured()).length > count + 1, {
      what: "two more measurements",
      timeoutMs: 20_000,
    });
    await legendAt(
      o.x + o.width - 1,
      async () => (await measured()).slice(count),
      "a measurement newer than the page's first data in the legend",
    );
    await screenshot(page, shot("dashboard-rollout.png"));
  });

  test("screenshot of the overview: a Rollout in each state", async () => {
    const { page } = await browser.open(`${dash.url}/`);
    await waitForTestId(page, "overview");
    for (const name of ["checkout", "cart", "payments", "search"])
      await waitForTestId(page, `row-${f.namespace}-${name}`);
    await waitForTestId(page, "abort-badge");
    await screenshot(page, shot("dashboard-overview.png"));
  });
});
